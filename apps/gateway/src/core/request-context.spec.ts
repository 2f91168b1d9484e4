import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createLogger, currentTraceId, startTracing } from '@octave/platform/observability';
import Fastify from 'fastify';
import { installRequestContext, requestIdFor } from './request-context.js';

const req = (id?: string | string[]) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe(requestIdFor.name, () => {
  it('keeps a sane id from the caller', () => {
    expect(requestIdFor(req('abc-123'))).toBe('abc-123');
    expect(requestIdFor(req('4bf92f35.77:b3_1'))).toBe('4bf92f35.77:b3_1');
  });

  it.each([
    ['none', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'a b'],
    ['with a newline', 'a\nb'],
    ['repeated', ['a', 'b']],
  ])('makes a new UUID for %s', (_name, id) => {
    expect(requestIdFor(req(id))).toMatch(UUID);
  });

  it('makes a different id each time', () => {
    expect(requestIdFor(req())).not.toBe(requestIdFor(req()));
  });
});

describe(installRequestContext.name, () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing('gateway-test', { exporter });

  async function app() {
    const fastify = Fastify({ genReqId: requestIdFor });
    installRequestContext(fastify, { logger: createLogger('test', { level: 'silent' }), logRequests: false, tracing });
    fastify.post('/things/:id', async () => ({ traceId: currentTraceId() }));
    fastify.get('/boom', async () => {
      throw new Error('boom');
    });
    await fastify.ready();
    return fastify;
  }

  it('runs each request in a server span that continues the caller\'s trace', async () => {
    const fastify = await app();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fastify.inject({
      method: 'POST',
      url: '/things/7',
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'req-1' },
      payload: { a: 1 },
    });
    expect(res.json()).toEqual({ traceId });
    const span = exporter.getFinishedSpans().find((s) => s.name === 'POST /things/:id');
    expect(span).toMatchObject({ kind: SpanKind.SERVER, attributes: { 'http.route': '/things/:id', 'http.response.status_code': 200 } });
    expect(span?.attributes['http.request.header.x-request-id']).toEqual(['req-1']);
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    await fastify.close();
  });

  it('marks a request answered with a 5xx as failed', async () => {
    const fastify = await app();
    expect((await fastify.inject({ method: 'GET', url: '/boom' })).statusCode).toBe(500);
    const span = exporter.getFinishedSpans().find((s) => s.name === 'GET /boom');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.parentSpanContext).toBeUndefined();
    await fastify.close();
  });
});
