import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { eventSubject, type EventData, type EventEnvelope, type EventType, type ServiceName } from '@octave/contracts';
import { currentCorrelationId, currentTraceparent } from '../observability/index.js';
import { quoteSchema } from './sql.js';

export interface OutboxOptions<S extends ServiceName> {
  /** The publishing service: the first token of every subject it publishes on. */
  service: S;
  /** The PostgreSQL schema that holds the service's `outbox` table. */
  schema: string;
}

/**
 * Records a service's domain events in its outbox table, in the caller's database
 * transaction, so an event exists if and only if the change it describes was
 * committed. {@link OutboxRelay} publishes the rows to JetStream afterwards.
 *
 * @example
 * await orm.em.fork().transactional(async (em) => {
 *   em.remove(user);
 *   await outbox.record(em, 'user.deleted', { userId: user.id });
 * });
 */
export class Outbox<S extends ServiceName> {
  private readonly service: S;
  private readonly table: string;

  constructor(opts: OutboxOptions<S>) {
    this.service = opts.service;
    this.table = `${quoteSchema(opts.schema)}.outbox`;
  }

  /**
   * Writes the event to the outbox through `em`, which MUST be the entity manager of
   * a running transaction (the one `em.transactional()` hands its callback): outside
   * one, the event would commit on its own even if the change rolls back, so that
   * throws instead. Returns the envelope that will be published.
   */
  async record<T extends EventType<S>>(
    em: SqlEntityManager,
    type: T,
    data: EventData<S, T>,
    opts: { version?: number } = {},
  ): Promise<EventEnvelope<EventData<S, T>>> {
    if (!em.isInTransaction()) {
      throw new Error(
        `Outbox.record('${type}') needs the entity manager of a transaction: call it inside em.transactional(async (em) => ...) with that em`,
      );
    }
    const correlationId = currentCorrelationId();
    // The span that caused the event (the RPC or event being handled) parents its consumers' spans.
    const traceparent = currentTraceparent();
    const envelope: EventEnvelope<EventData<S, T>> = {
      id: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      version: opts.version ?? 1,
      data,
      ...(correlationId ? { correlationId } : {}),
      ...(traceparent ? { traceparent } : {}),
    };
    // MikroORM inlines `?` parameters client-side; the envelope goes in as JSON text.
    await em.execute(
      `INSERT INTO ${this.table} (id, subject, envelope) VALUES (?, ?, ?::jsonb)`,
      [envelope.id, eventSubject(this.service, type), JSON.stringify(envelope)],
      'run',
    );
    return envelope;
  }
}
