import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Inject, Module } from '@nestjs/common';
import { defineEntity, p } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { EVENTS_STREAM, type EventEnvelope, type Page, type UserDto } from '@octave/contracts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { connectNats, RpcClient, RpcHandler } from '../bus/index.js';
import { loadConfig } from '../config/index.js';
import { eventsTablesSql, type Outbox } from '../events/index.js';
import { OUTBOX, serviceConfigShape, startService, type RunningService, type ServiceConfig } from '../service/index.js';
import { eventually, startTestInfra, type TestInfra } from '../testing/index.js';
import { createLogger } from './logger.js';
import { currentTraceId, startTracing } from './tracing.js';

// Before anything makes a span: the first call sets up tracing for the whole process.
const exporter = new InMemorySpanExporter();
startTracing('tracing-test', { exporter });

/** Every log line the service writes, parsed. */
const logLines: Record<string, unknown>[] = [];
const logger = createLogger('tracing-test', {
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  }),
});

// The ORM wants one entity; the test needs none.
const Thing = defineEntity({ name: 'Thing', tableName: 'things', schema: 'traced', properties: { id: p.integer().primary() } });

/** The trace ids seen where the handlers ran, by handler. */
const seen: { handler?: string; consumer?: string; consumerEvent?: EventEnvelope } = {};

@Controller()
class FakeController {
  constructor(
    private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'identity'>,
  ) {}

  @RpcHandler('identity.user.get')
  async get(req: { id: number }): Promise<UserDto> {
    seen.handler = currentTraceId();
    logger.info({ step: 'handler' }, 'handling the request');
    await this.em.transactional(async (em) => {
      await this.outbox.record(em, 'user.registered', { userId: req.id, username: 'traced' });
    });
    return { id: req.id, username: 'traced', avatarUrl: null, bio: null, friendsCount: 0, followingCount: 0, followersCount: 0, createdAt: new Date(0).toISOString() };
  }

  @RpcHandler('identity.user.search')
  async search(): Promise<Page<UserDto>> {
    throw new Error('boom');
  }
}

@Module({ controllers: [FakeController] })
class FakeModule {}

describe('tracing across the bus', () => {
  let infra: TestInfra;
  let dir: string;
  let service: RunningService<ServiceConfig>;
  let nc: NatsConnection;

  beforeAll(async () => {
    infra = await startTestInfra('tracing');
    dir = await mkdtemp(path.join(tmpdir(), 'octave-tracing-'));
    await writeFile(path.join(dir, '0001_init.sql'), `CREATE TABLE things (id int PRIMARY KEY);\n${eventsTablesSql('traced')}`);
    const config = loadConfig(serviceConfigShape(0), { ...infra.env, LOG_LEVEL: 'silent' });
    service = await startService(
      {
        name: 'identity',
        schema: 'traced',
        migrationsDir: dir,
        entities: [Thing],
        module: FakeModule,
        subscribe: (events) =>
          events.on('identity', 'user.registered', 'tracing-test', async (_em, event) => {
            seen.consumer = currentTraceId();
            seen.consumerEvent = event;
            logger.info({ step: 'consumer' }, 'handling the event');
          }),
      },
      config,
      { logger },
    );
    nc = await connectNats(infra.nats.url, 'test', logger);
  });
  afterAll(async () => {
    await service?.close();
    await nc?.drain();
    await infra?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('follows one trace from an RPC call to the consumer of the event its handler recorded', async () => {
    await new RpcClient(nc, 5000).call('identity.user.get', { id: 7 });
    const spans = () => exporter.getFinishedSpans();
    const find = (kind: SpanKind, name: string) => spans().find((s) => s.kind === kind && s.name === name);
    const client = await eventually(() => find(SpanKind.CLIENT, 'identity.user.get'), 'the client span');
    const server = await eventually(() => find(SpanKind.SERVER, 'identity.user.get'), 'the server span');
    const consumer = await eventually(
      () => find(SpanKind.CONSUMER, 'process identity.events.user.registered'),
      'the consumer span',
    );

    const traceId = client.spanContext().traceId;
    const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
    expect(client.parentSpanContext).toBeUndefined();
    expect(server.spanContext().traceId).toBe(traceId);
    expect(parentOf(server)).toBe(client.spanContext().spanId);
    expect(consumer.spanContext().traceId).toBe(traceId);
    expect(parentOf(consumer)).toBe(server.spanContext().spanId);
    expect(consumer.attributes).toMatchObject({ 'messaging.consumer.group.name': 'tracing-test' });

    // The envelope keeps the server span's context, and the published message carries it as a header.
    const traceparent = `00-${traceId}-${server.spanContext().spanId}-01`;
    expect(seen.consumerEvent?.traceparent).toBe(traceparent);
    const jsm = await jetstreamManager(nc);
    const msg = await jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: 'identity.events.user.registered' });
    expect(msg?.header.get('traceparent')).toBe(traceparent);

    // Code running in the handlers sees the trace, and so do their log lines.
    expect(seen).toMatchObject({ handler: traceId, consumer: traceId });
    expect(logLines.filter((l) => l.step === 'handler' || l.step === 'consumer')).toEqual([
      expect.objectContaining({ step: 'handler', traceId, correlationId: expect.any(String) }),
      expect.objectContaining({ step: 'consumer', traceId, correlationId: expect.any(String) }),
    ]);
  });

  it('marks a failed RPC as an error on both sides', async () => {
    exporter.reset();
    const rpc = new RpcClient(nc, 5000);
    await expect(rpc.call('identity.user.search', { limit: 1 })).rejects.toMatchObject({ status: 500 });
    const find = (kind: SpanKind) =>
      eventually(() => exporter.getFinishedSpans().find((s) => s.kind === kind && s.name === 'identity.user.search'), `the ${kind} span`);
    const [client, server] = [await find(SpanKind.CLIENT), await find(SpanKind.SERVER)];
    expect(client.status.code).toBe(SpanStatusCode.ERROR);
    expect(client.attributes['rpc.outcome']).toBe('500');
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.events.map((e) => e.name)).toContain('exception');
  });
});
