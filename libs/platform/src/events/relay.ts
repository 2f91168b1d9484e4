import type { QueryResult } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection, type Status } from '@nats-io/transport-node';
import { BusHeaders } from '@octave/contracts';
import { Gauge, Histogram } from 'prom-client';
import { errorsTotal, metricsRegistry, type Logger } from '../observability/index.js';
import { quoteSchema } from './sql.js';

const outboxBacklog = new Gauge({
  name: 'outbox_backlog',
  help: 'Outbox rows not yet published to JetStream',
  labelNames: ['schema'] as const,
  registers: [metricsRegistry],
});

const outboxPublishLag = new Histogram({
  name: 'outbox_publish_lag_seconds',
  help: 'Time from recording an event in the outbox to its acknowledged publication',
  labelNames: ['schema'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});

export interface OutboxRelayOptions {
  /** A fresh entity manager for each batch (e.g. `() => orm.em.fork()`). */
  emFactory: () => SqlEntityManager;
  nats: NatsConnection;
  /** The schema that holds the service's `outbox` table. */
  schema: string;
  logger: Logger;
  /** Pause between polls when the outbox is empty. */
  pollIntervalMs?: number;
  /** Rows locked and published per transaction. */
  batchSize?: number;
  /** Published rows are deleted once older than this. */
  retentionMs?: number;
  /** How long one publish waits for JetStream's ack before the batch counts as failed. */
  publishTimeoutMs?: number;
}

interface OutboxRow {
  seq: string;
  id: string;
  subject: string;
  envelope: string;
  traceparent: string | null;
}

interface BatchResult {
  locked: number;
  published: number;
  /** The first publish error, if any row could not be published. */
  error?: unknown;
}

const MAX_BACKOFF_MS = 2_000;
const FAILURE_LOG_EVERY_MS = 30_000;
const BACKLOG_EVERY_MS = 1_000;
const CLEANUP_EVERY_MS = 60_000;

/**
 * Publishes the outbox to JetStream: polls for unpublished rows, publishes each with
 * the event id as message id (so a row published twice, after a crash between the
 * ack and the update, is dropped by the stream's duplicate window), waits for the
 * acks and marks the rows published. Rows are locked with `FOR UPDATE SKIP LOCKED`,
 * so several replicas can run a relay on the same table. While NATS is unreachable
 * the rows simply stay and are retried with a backoff.
 */
export class OutboxRelay {
  private readonly emFactory: () => SqlEntityManager;
  private readonly nats: NatsConnection;
  private readonly js: JetStreamClient;
  private readonly schema: string;
  private readonly table: string;
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly retentionMs: number;
  private readonly publishTimeoutMs: number;

  private running = false;
  /** Known from the connection's status events; while false, batches fail fast instead of timing out. */
  private connected = true;
  private statuses?: AsyncIterable<Status>;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Serialises batches, so `flush()` never skips rows the loop has locked. */
  private lock: Promise<void> = Promise.resolve();
  private failures = 0;
  private lastFailureLogAt = 0;
  private lastBacklogAt = 0;
  private lastCleanupAt = Date.now();

  constructor(opts: OutboxRelayOptions) {
    this.emFactory = opts.emFactory;
    this.nats = opts.nats;
    this.js = jetstream(opts.nats);
    this.schema = opts.schema;
    this.table = `${quoteSchema(opts.schema)}.outbox`;
    this.logger = opts.logger.child({ component: 'outbox-relay', schema: opts.schema });
    this.pollIntervalMs = opts.pollIntervalMs ?? 100;
    this.batchSize = opts.batchSize ?? 100;
    this.retentionMs = opts.retentionMs ?? 24 * 3_600_000;
    this.publishTimeoutMs = opts.publishTimeoutMs ?? 5_000;
  }

  /** Starts polling in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.watchConnection();
    this.loop = this.run();
  }

  /**
   * Stops polling: lets the batch in flight finish, then tries once more to publish
   * whatever was committed meanwhile, so a clean shutdown leaves nothing behind when
   * NATS is up. Resolves when done; rows it could not publish stay for the next start.
   */
  async stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.wake?.();
      // The iterator is nats.js's QueuedIterator; stop() ends it (the type only says AsyncIterable).
      (this.statuses as Partial<{ stop(): void }> | undefined)?.stop?.();
      await this.loop;
    }
    // Even when the loop was not running: whatever is pending goes out before shutdown.
    try {
      await this.flush();
    } catch (err) {
      this.logger.warn({ err }, 'outbox not fully published at shutdown; the rest goes out at the next start');
    }
  }

  /**
   * Publishes every row pending now, batch after batch, and returns how many were
   * published. Throws if NATS or the database fails (the rows stay pending).
   */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.exclusive(() => this.publishBatch());
      total += batch.published;
      if (batch.error) throw batch.error;
      if (batch.locked < this.batchSize) break;
    }
    await this.updateBacklog();
    return total;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.pollIntervalMs;
      try {
        const batch = await this.exclusive(() => this.publishBatch());
        if (batch.error) throw batch.error;
        this.recovered();
        // A full batch means more is waiting: go on without pausing.
        if (batch.locked === this.batchSize) delay = 0;
      } catch (err) {
        delay = this.failed(err);
      }
      await this.housekeeping();
      if (delay > 0 && this.running) await this.sleep(delay);
    }
  }

  /**
   * Follows the connection: while NATS is away, publishes would only wait for their
   * timeout with rows locked; when it is back, publishing resumes without waiting
   * for the backoff.
   */
  private watchConnection(): void {
    const statuses = this.nats.status();
    this.statuses = statuses;
    void (async () => {
      for await (const status of statuses) {
        if (status.type === 'disconnect') {
          this.connected = false;
        } else if (status.type === 'reconnect') {
          this.connected = true;
          this.wake?.();
        }
      }
    })();
  }

  /** One transaction: lock a batch, publish it, mark what JetStream acknowledged. */
  private async publishBatch(): Promise<BatchResult> {
    if (!this.connected || this.nats.isClosed()) {
      return { locked: 0, published: 0, error: new Error('NATS connection is down') };
    }
    return this.emFactory().transactional(async (em) => {
      const rows = await em.execute<OutboxRow[]>(
        `SELECT seq, id, subject, envelope::text AS envelope, envelope->>'traceparent' AS traceparent FROM ${this.table}
         WHERE published_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) return { locked: 0, published: 0 };

      const acks = await Promise.allSettled(
        rows.map((row) =>
          this.js.publish(row.subject, row.envelope, {
            msgID: row.id,
            timeout: this.publishTimeoutMs,
            // For whatever reads the stream without parsing envelopes (consumers use the envelope's).
            headers: row.traceparent ? traceHeaders(row.traceparent) : undefined,
          }),
        ),
      );
      const done = rows.filter((_, i) => acks[i].status === 'fulfilled');
      const failure = acks.find((a): a is PromiseRejectedResult => a.status === 'rejected');
      if (done.length > 0) {
        // clock_timestamp(), not now(): now() is when the transaction began, before the publish.
        const lags = await em.execute<{ lag: number }[]>(
          `UPDATE ${this.table} SET published_at = clock_timestamp() WHERE seq IN (?)
           RETURNING extract(epoch FROM published_at - created_at)::float8 AS lag`,
          [done.map((r) => r.seq)],
        );
        for (const { lag } of lags) outboxPublishLag.observe({ schema: this.schema }, lag);
      }
      // Returned, not thrown: throwing would roll back the rows that did go out.
      return { locked: rows.length, published: done.length, error: failure?.reason };
    });
  }

  private failed(err: unknown): number {
    this.failures++;
    errorsTotal.inc({ kind: 'outbox_publish' });
    // Warn on the first failure, then only now and then, not on every retry.
    const now = Date.now();
    if (this.failures === 1 || now - this.lastFailureLogAt >= FAILURE_LOG_EVERY_MS) {
      this.lastFailureLogAt = now;
      this.logger.warn({ err, failures: this.failures }, 'cannot publish the outbox; retrying');
    }
    return Math.min(MAX_BACKOFF_MS, this.pollIntervalMs * 2 ** Math.min(this.failures, 10));
  }

  private recovered(): void {
    if (this.failures > 0) {
      this.logger.info({ failures: this.failures }, 'outbox publishing recovered');
      this.failures = 0;
    }
  }

  /** Occasional chores: the backlog gauge and deleting old published rows. */
  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.lastBacklogAt >= BACKLOG_EVERY_MS) {
      this.lastBacklogAt = now;
      await this.updateBacklog().catch((err: unknown) => this.logger.debug({ err }, 'cannot count the outbox backlog'));
    }
    if (now - this.lastCleanupAt >= CLEANUP_EVERY_MS) {
      this.lastCleanupAt = now;
      await this.deletePublished().catch((err: unknown) => this.logger.warn({ err }, 'cannot delete published outbox rows'));
    }
  }

  private async updateBacklog(): Promise<void> {
    const [row] = await this.emFactory().execute<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${this.table} WHERE published_at IS NULL`,
    );
    outboxBacklog.set({ schema: this.schema }, row?.n ?? 0);
  }

  private async deletePublished(): Promise<void> {
    const res = await this.emFactory().execute<QueryResult>(
      `DELETE FROM ${this.table} WHERE published_at < now() - ? * interval '1 millisecond'`,
      [this.retentionMs],
      'run',
    );
    if (res.affectedRows > 0) this.logger.debug({ deleted: res.affectedRows }, 'deleted published outbox rows');
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.then(fn);
    this.lock = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

function traceHeaders(traceparent: string): MsgHdrs {
  const h = natsHeaders();
  h.set(BusHeaders.traceparent, traceparent);
  return h;
}
