import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM, type SqlEntityManager } from '@mikro-orm/postgresql';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, eventSubject, type EventEnvelope } from '@octave/contracts';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, metricsRegistry, runWithCorrelation } from '../observability/index.js';
import { createTestDatabase, eventually, startNatsServer, type NatsServerHandle, type TestDatabase } from '../testing/index.js';
import { DEFAULT_ACK_WAIT_MS, ensureEventsStream, EventConsumer, eventsTablesSql, Outbox, OutboxRelay } from './index.js';

const SCHEMA = 'events_test';
const logger = createLogger('events-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('events: outbox, relay and consumer', () => {
  let db: TestDatabase;
  let server: NatsServerHandle;
  let orm: MikroORM;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  const em = (): SqlEntityManager => orm.em.fork();
  const outbox = new Outbox({ service: 'identity', schema: SCHEMA });

  beforeAll(async () => {
    [db, server] = await Promise.all([createTestDatabase('events'), startNatsServer()]);
    orm = await MikroORM.init({ clientUrl: db.url, entities: [], discovery: { warnWhenNoEntities: false } });
    await orm.connect();
    await em().execute(`CREATE SCHEMA ${SCHEMA}; ${eventsTablesSql(SCHEMA)}
      CREATE TABLE ${SCHEMA}.counter (event_id uuid PRIMARY KEY, n int NOT NULL, attempts int NOT NULL DEFAULT 0);`);
    // Reconnect forever, quickly: test (e) restarts the server under the client.
    nats = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    // Two services starting at once both create the stream.
    await Promise.all([ensureEventsStream(nats), ensureEventsStream(nats)]);
    jsm = await jetstreamManager(nats);
  });

  afterAll(async () => {
    await nats?.close();
    await orm?.close();
    await Promise.allSettled([db?.drop(), server?.dispose()]);
  });

  function relay(opts: { pollIntervalMs?: number } = {}): OutboxRelay {
    return new OutboxRelay({ emFactory: em, nats, schema: SCHEMA, logger, ...opts });
  }

  async function outboxRow(id: string): Promise<{ published_at: string | null } | undefined> {
    const [row] = await em().execute<{ published_at: string | null }[]>(
      `SELECT published_at FROM ${SCHEMA}.outbox WHERE id = ?`,
      [id],
    );
    return row;
  }

  /** Every message in the stream with the given event id, read straight from the stream. */
  async function streamMessages(id: string): Promise<{ subject: string; msgId?: string; envelope: EventEnvelope }[]> {
    const { state } = await jsm.streams.info(EVENTS_STREAM);
    const found = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
      if (!m) continue;
      let envelope: EventEnvelope;
      try {
        envelope = m.json<EventEnvelope>();
      } catch {
        continue; // the malformed message of another test
      }
      if (envelope.id === id) found.push({ subject: m.subject, msgId: m.header.get('Nats-Msg-Id'), envelope });
    }
    return found;
  }

  async function counter(id: string): Promise<{ n: number; attempts: number } | undefined> {
    const [row] = await em().execute<{ n: number; attempts: number }[]>(
      `SELECT n, attempts FROM ${SCHEMA}.counter WHERE event_id = ?`,
      [id],
    );
    return row;
  }

  /** Until the durable consumer has nothing pending nor unacknowledged. */
  async function consumerIdle(durable: string): Promise<void> {
    await eventually(async () => {
      const info = await jsm.consumers.info(EVENTS_STREAM, durable);
      return info.num_pending === 0 && info.num_ack_pending === 0 && info.num_redelivered === 0;
    }, `consumer ${durable} to be idle`);
  }

  it('creates the events stream with the expected configuration, idempotently', async () => {
    await ensureEventsStream(nats);
    const { config } = await jsm.streams.info(EVENTS_STREAM);
    expect(config).toMatchObject({
      subjects: ['*.events.>'],
      storage: 'file',
      duplicate_window: 2 * 60 * 1e9,
      max_age: 7 * 24 * 3600 * 1e9,
    });
  });

  it('updates an existing durable consumer to new filter subjects', async () => {
    const durable = 'test-config';
    const noop = async () => undefined;
    const first = new EventConsumer({ nats, emFactory: em, schema: SCHEMA, logger });
    await first.on('identity', 'user.updated', durable, noop).start();
    await first.stop();
    expect((await jsm.consumers.info(EVENTS_STREAM, durable)).config).toMatchObject({ ack_wait: DEFAULT_ACK_WAIT_MS * 1e6 });
    const second = new EventConsumer({ nats, emFactory: em, schema: SCHEMA, logger, ackWaitMs: 20_000 });
    await second.on('identity', 'user.deleted', durable, noop).start();
    await second.stop();
    const { config } = await jsm.consumers.info(EVENTS_STREAM, durable);
    expect(config).toMatchObject({ filter_subject: 'identity.events.user.deleted', ack_wait: 20_000 * 1e6 });
    await jsm.consumers.delete(EVENTS_STREAM, durable);
  });

  it('publishes an event recorded in a committed transaction, envelope intact, msgID = event id', async () => {
    const r = relay();
    r.start();
    try {
      const envelope = await runWithCorrelation('corr-a', () =>
        em().transactional((tx) => outbox.record(tx, 'user.registered', { userId: 1, username: 'ada' })),
      );
      expect(envelope).toMatchObject({ type: 'user.registered', version: 1, correlationId: 'corr-a' });

      // The row is marked published only after JetStream acknowledged the message.
      await eventually(async () => (await outboxRow(envelope.id))?.published_at ?? undefined, 'the row to be published');
      const found = await streamMessages(envelope.id);
      expect(found).toHaveLength(1);
      const [msg] = found;
      expect(msg.subject).toBe(eventSubject('identity', 'user.registered'));
      expect(msg.msgId).toBe(envelope.id);
      expect(msg.envelope).toEqual(envelope);
    } finally {
      await r.stop();
    }
  });

  it('never publishes an event whose transaction rolled back', async () => {
    let id = '';
    await expect(
      em().transactional(async (tx) => {
        id = (await outbox.record(tx, 'user.deleted', { userId: 2 })).id;
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');

    await relay().flush();
    expect(await outboxRow(id)).toBeUndefined();
    expect(await streamMessages(id)).toEqual([]);
  });

  it('refuses to record outside a transaction', async () => {
    await expect(outbox.record(em(), 'user.deleted', { userId: 3 })).rejects.toThrow(/em\.transactional/);
  });

  it('runs a handler once for an event delivered twice', async () => {
    const durable = 'test-dedupe';
    const consumer = new EventConsumer({ nats, emFactory: em, schema: SCHEMA, logger });
    consumer.on('identity', 'user.updated', durable, async (tx, event) => {
      expect(event.data.fields).toEqual(['username']);
      await tx.execute(
        `INSERT INTO ${SCHEMA}.counter (event_id, n) VALUES (?, 1) ON CONFLICT (event_id) DO UPDATE SET n = counter.n + 1`,
        [event.id],
      );
    });
    await consumer.start();
    try {
      const envelope: EventEnvelope = {
        id: randomUUID(),
        type: 'user.updated',
        occurredAt: new Date().toISOString(),
        version: 1,
        data: { userId: 4, username: 'bob', fields: ['username'] },
      };
      // Two message ids, so the stream keeps both copies and the consumer sees both.
      const js = jetstream(nats);
      const subject = eventSubject('identity', 'user.updated');
      await js.publish(subject, JSON.stringify(envelope), { msgID: randomUUID() });
      await js.publish(subject, JSON.stringify(envelope), { msgID: randomUUID() });

      expect(await streamMessages(envelope.id)).toHaveLength(2);
      await consumerIdle(durable);
      expect(await counter(envelope.id)).toEqual({ n: 1, attempts: 0 });
    } finally {
      await consumer.stop();
    }
  });

  it('redelivers an event whose handler failed and then handles it exactly once', async () => {
    const durable = 'test-retry';
    const consumer = new EventConsumer({ nats, emFactory: em, schema: SCHEMA, logger, retryDelayMs: 100 });
    const attempts = new Map<string, number>();
    consumer.on('identity', 'user.deleted', durable, async (tx, event) => {
      const attempt = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, attempt);
      // The first attempt writes and then fails: the write must roll back with it.
      await tx.execute(
        `INSERT INTO ${SCHEMA}.counter (event_id, n, attempts) VALUES (?, 1, ?)
         ON CONFLICT (event_id) DO UPDATE SET n = counter.n + 1, attempts = excluded.attempts`,
        [event.id, attempt],
      );
      if (attempt === 1) throw new Error('transient failure');
    });
    await consumer.start();
    const r = relay();
    try {
      const envelope = await em().transactional((tx) => outbox.record(tx, 'user.deleted', { userId: 5 }));
      await r.flush();
      await eventually(() => counter(envelope.id), 'the handler to succeed');
      await consumerIdle(durable);
      expect(attempts.get(envelope.id)).toBe(2);
      expect(await counter(envelope.id)).toEqual({ n: 1, attempts: 2 });
    } finally {
      await consumer.stop();
      await r.stop();
    }
  });

  it('does not redeliver an event while its handler, slower than the ack wait, is still at work', async () => {
    const durable = 'test-slow';
    const subject = 'identity.events.test.slow';
    const ackWaitMs = 2_000;
    const consumer = new EventConsumer({ nats, emFactory: em, schema: SCHEMA, logger, ackWaitMs });
    let calls = 0;
    consumer.subscribe({
      durable,
      subjects: [subject],
      handler: async () => {
        calls++;
        // Two and a half ack waits: without the progress reports JetStream redelivers it twice.
        await sleep(ackWaitMs * 2.5);
      },
    });
    await consumer.start();
    try {
      const envelope: EventEnvelope = { id: randomUUID(), type: 'test.slow', occurredAt: new Date().toISOString(), version: 1, data: {} };
      await jetstream(nats).publish(subject, JSON.stringify(envelope));
      await consumerIdle(durable);
      // The durable is new: one delivery in all means JetStream never sent the event again.
      const info = await jsm.consumers.info(EVENTS_STREAM, durable);
      expect(info.delivered.consumer_seq).toBe(1);
      expect(calls).toBe(1);
    } finally {
      await consumer.stop();
    }
  });

  it('terminates a malformed message instead of redelivering it', async () => {
    const durable = 'test-malformed';
    const consumer = new EventConsumer({ nats, emFactory: em, schema: SCHEMA, logger });
    let calls = 0;
    // A subject of its own, so the durable sees only the bad message.
    const subject = 'identity.events.test.malformed';
    consumer.subscribe({ durable, subjects: [subject], handler: async () => void calls++ });
    await consumer.start();
    try {
      await jetstream(nats).publish(subject, 'not json');
      await consumerIdle(durable);
      expect(calls).toBe(0);
    } finally {
      await consumer.stop();
    }
  });

  it('keeps events in the outbox while NATS is down and publishes them once it is back', async () => {
    const r = relay();
    r.start();
    // A consumer running through the outage must get the event once NATS is back.
    const received = new Set<string>();
    const consumer = new EventConsumer({ nats, emFactory: em, schema: SCHEMA, logger });
    await consumer.on('identity', 'user.registered', 'test-restart', async (_tx, event) => void received.add(event.id)).start();
    try {
      await server.stop();
      const envelope = await em().transactional((tx) => outbox.record(tx, 'user.registered', { userId: 6, username: 'cy' }));
      // Let the relay fail a few times; the row must stay pending.
      await sleep(1_000);
      expect((await outboxRow(envelope.id))?.published_at).toBeNull();

      await server.start();
      await eventually(async () => (await outboxRow(envelope.id))?.published_at ?? undefined, 'the row to be published', 30_000);
      const found = await streamMessages(envelope.id);
      expect(found).toHaveLength(1);
      expect(found[0].envelope).toEqual(envelope);
      await eventually(async () => received.has(envelope.id), 'the consumer to receive the event', 45_000);
    } finally {
      await consumer.stop();
      await r.stop();
    }
  }, 90_000);

  it('publishes pending rows when stopped', async () => {
    // A poll interval far beyond the test: after its first poll, which publishes the
    // row recorded before start(), only stop()'s final flush can publish.
    const r = relay({ pollIntervalMs: 3_600_000 });
    const first = await em().transactional((tx) => outbox.record(tx, 'user.registered', { userId: 7, username: 'di' }));
    r.start();
    await eventually(async () => (await outboxRow(first.id))?.published_at ?? undefined, 'the first poll');
    const ids = await em().transactional(async (tx) => {
      const a = await outbox.record(tx, 'user.updated', { userId: 7, username: 'di', fields: ['username'] });
      const b = await outbox.record(tx, 'user.deleted', { userId: 7 });
      return [a.id, b.id];
    });
    expect((await outboxRow(ids[0]))?.published_at).toBeNull();

    await r.stop();
    for (const id of ids) {
      expect((await outboxRow(id))?.published_at).toEqual(expect.any(String));
      expect(await streamMessages(id)).toHaveLength(1);
    }
  });

  it('reports how many events each durable consumer has not handled yet', async () => {
    const durable = 'test-lag';
    const subject = 'identity.events.test.lag';
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const consumer = new EventConsumer({ nats, emFactory: em, schema: SCHEMA, logger, lagEveryMs: 100 });
    consumer.subscribe({ durable, subjects: [subject], handler: () => held });
    await consumer.start();
    const pending = async () => {
      const { values } = await metricsRegistry.getSingleMetric('jetstream_consumer_pending')!.get();
      return values.find((v) => v.labels.durable === durable)?.value;
    };
    try {
      expect(await pending()).toBe(0);
      for (let n = 0; n < 3; n++) {
        const envelope: EventEnvelope = { id: randomUUID(), type: 'test.lag', occurredAt: new Date().toISOString(), version: 1, data: { n } };
        await jetstream(nats).publish(subject, JSON.stringify(envelope));
      }
      // One in the handler and two waiting: delivered or not, none is acknowledged.
      await eventually(async () => (await pending()) === 3, 'the gauge to count the three events');
      release();
      await eventually(async () => (await pending()) === 0, 'the gauge to drop to zero');
    } finally {
      release();
      await consumer.stop();
    }
  });
});
