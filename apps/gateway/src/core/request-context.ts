import { randomUUID } from 'node:crypto';
import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import {
  errorsTotal,
  extractTrace,
  failSpan,
  httpRequestDuration,
  type Logger,
  runInTraceContext,
  runWithCorrelation,
  SpanKind,
  startSpan,
  type Tracing,
} from '@octave/platform/observability';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

// Anything else (too long, spaces, control characters) would end up in logs and bus
// headers verbatim, so it is replaced rather than trusted.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id when it looks like one, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

const kScope = Symbol('octave.requestScope');
const kSpan = Symbol('octave.requestSpan');
type ScopedRequest = FastifyRequest & { [kScope]?: AsyncResource; [kSpan]?: Span };

/**
 * Per request: the request id header, a server span (continuing the caller's
 * `traceparent`, e.g. the ingress's) and a correlation context around everything the
 * request runs (guards, pipes, handlers, bus calls, logs), one latency observation and
 * one log line. With `tracing`, the spans still buffered are exported when the server
 * closes.
 *
 * Fastify reads the body in the request stream's own async context, which loses the
 * correlation id set in `onRequest`; an AsyncResource bound there re-enters it before
 * validation, as @fastify/request-context does.
 */
export function installRequestContext(
  fastify: FastifyInstance,
  opts: { logger: Logger; logRequests: boolean; tracing?: Tracing },
): void {
  const { logger, logRequests, tracing } = opts;

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    const route = request.routeOptions.url;
    const { span, context } = startSpan(route ? `${request.method} ${route}` : request.method, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        ...(route ? { 'http.route': route } : {}),
        'http.request.header.x-request-id': [request.id],
      },
      parent: extractTrace({ get: (name) => request.headers[name] }),
    });
    (request as ScopedRequest)[kSpan] = span;
    runInTraceContext(context, () =>
      runWithCorrelation(request.id, () => {
        (request as ScopedRequest)[kScope] = new AsyncResource('octave.request');
        done();
      }),
    );
  });

  fastify.addHook('preValidation', (request, _reply, done) => {
    const scope = (request as ScopedRequest)[kScope];
    if (scope) scope.runInAsyncScope(done, undefined);
    else done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    // The route template keeps the label set small; unmatched URLs share one label.
    const route = request.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    httpRequestDuration.observe({ method: request.method, route, status: String(status) }, ms / 1000);
    if (status >= 500) errorsTotal.inc({ kind: 'http_5xx' });
    endSpan(request as ScopedRequest, status);
    if (logRequests) {
      logger.info(
        { requestId: request.id, method: request.method, route, status, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    }
    done();
  });

  // The client went away before the answer: the span still ends, as an error.
  fastify.addHook('onRequestAbort', (request, done) => {
    endSpan(request as ScopedRequest, undefined);
    done();
  });

  // Once the server has stopped listening (SIGTERM: Socket.IO's close or Fastify's
  // closes it), answers end their connection. A keep-alive client (the ingress) would
  // otherwise keep the idle connection, and with it the process, open for the
  // keep-alive timeout (72 s), past the pod's grace period.
  let listened = false;
  fastify.server.once('listening', () => (listened = true));
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (listened && !fastify.server.listening) void reply.header('connection', 'close');
    done(null, payload);
  });

  if (tracing) fastify.addHook('onClose', () => tracing.flush());
}

function endSpan(request: ScopedRequest, status: number | undefined): void {
  const span = request[kSpan];
  if (!span) return;
  request[kSpan] = undefined;
  if (status === undefined) failSpan(span, undefined, 'client aborted the request');
  else {
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) failSpan(span, undefined, `answered ${status}`);
  }
  span.end();
}
