import type { QueryResult } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  BusHeaders,
  eventSubject,
  EVENTS_STREAM,
  type EventData,
  type EventEnvelope,
  type EventType,
  type ServiceName,
} from '@octave/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { Gauge } from 'prom-client';
import {
  errorsTotal,
  extractTrace,
  failSpan,
  metricsRegistry,
  runInTraceContext,
  runWithCorrelation,
  SpanKind,
  startSpan,
  type Logger,
} from '../observability/index.js';
import { quoteSchema } from './sql.js';
import { ensureEventsStream } from './stream.js';

const consumerPending = new Gauge({
  name: 'jetstream_consumer_pending',
  help: 'Events of a durable consumer not handled yet: not yet delivered plus delivered but not acknowledged',
  labelNames: ['durable'] as const,
  registers: [metricsRegistry],
});

/**
 * Handles one event inside the consumer's transaction: write through `em` only, so
 * the handler's changes commit together with the inbox row that marks the event done.
 */
export type EventHandler<D = unknown> = (em: SqlEntityManager, event: EventEnvelope<D>) => Promise<void>;

export interface EventSubscription<D = unknown> {
  /** The durable JetStream consumer's name, and the inbox's `consumer` column. Unique per subscription. */
  durable: string;
  /** Filter subjects, e.g. `['identity.events.user.deleted']`. More than one needs nats-server 2.10. */
  subjects: string[];
  handler: EventHandler<D>;
}

export interface EventConsumerOptions {
  nats: NatsConnection;
  /** A fresh entity manager for each message (e.g. `() => orm.em.fork()`). */
  emFactory: () => SqlEntityManager;
  /** The schema that holds the service's `inbox` table. */
  schema: string;
  logger: Logger;
  /**
   * How long JetStream waits for an ack before redelivering (default 10 s): how soon the
   * events a crashed replica had in hand are handled elsewhere. A handler may take longer:
   * it reports progress every third of this, which restarts JetStream's wait.
   */
  ackWaitMs?: number;
  /** First redelivery delay after a failed handler; doubles per attempt. */
  retryDelayMs?: number;
  /** Upper bound of the redelivery delay. */
  maxRetryDelayMs?: number;
  /** How often the `jetstream_consumer_pending` gauge is refreshed from the consumers' info. */
  lagEveryMs?: number;
}

interface Running {
  sub: EventSubscription;
  messages?: ConsumerMessages;
  loop?: Promise<void>;
}

/** A replica killed with messages in hand has them redelivered after this. */
export const DEFAULT_ACK_WAIT_MS = 10_000;
/** The server's "consumer already exists" (with a different configuration). */
const CONSUMER_EXISTS = 10148;
/**
 * Messages pulled ahead of the one being handled. Few, so that they rarely wait out their
 * ack_wait behind slow handlers; one that does is delivered again (perhaps to another
 * replica) while it waits, which the inbox makes harmless: whichever copy comes second
 * finds the inbox row and is only acknowledged.
 */
const PULL_BATCH = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Consumes domain events from JetStream through durable pull consumers, exactly once
 * in effect: each message's handler runs in a transaction that also inserts
 * `(durable, event id)` into the inbox, and a redelivered event whose inbox row
 * exists is acknowledged without running the handler again. A failing handler rolls
 * back and the message is redelivered later with a growing delay.
 *
 * @example
 * const events = new EventConsumer({ nats, emFactory: () => orm.em.fork(), schema: 'catalog', logger });
 * events.on('identity', 'user.deleted', 'catalog-user-deleted', async (em, event) => {
 *   await em.nativeDelete(Favourite, { userId: event.data.userId });
 * });
 * await events.start();
 */
export class EventConsumer {
  private readonly nats: NatsConnection;
  private readonly emFactory: () => SqlEntityManager;
  private readonly inbox: string;
  private readonly logger: Logger;
  private readonly ackWaitMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly lagEveryMs: number;
  private readonly subs = new Map<string, Running>();
  private lagTimer?: NodeJS.Timeout;
  private jsm?: JetStreamManager;
  private stopping = false;
  private started = false;

  constructor(opts: EventConsumerOptions) {
    this.nats = opts.nats;
    this.emFactory = opts.emFactory;
    this.inbox = `${quoteSchema(opts.schema)}.inbox`;
    this.logger = opts.logger.child({ component: 'event-consumer' });
    this.ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.maxRetryDelayMs = opts.maxRetryDelayMs ?? 60_000;
    this.lagEveryMs = opts.lagEveryMs ?? 5_000;
  }

  /** Registers a handler for the given subjects under one durable consumer; call before `start()`. */
  subscribe<D = unknown>(sub: EventSubscription<D>): this {
    if (this.started) throw new Error('EventConsumer.subscribe() must be called before start()');
    if (this.subs.has(sub.durable)) throw new Error(`durable consumer '${sub.durable}' is already subscribed`);
    if (sub.subjects.length === 0) throw new Error(`durable consumer '${sub.durable}' needs at least one subject`);
    this.subs.set(sub.durable, { sub: sub as EventSubscription });
    return this;
  }

  /**
   * Registers a typed handler for one event type of one service: `event.data` has that
   * event's payload type, and the subject is derived from the pair.
   */
  on<S extends ServiceName, T extends EventType<S>>(
    service: S,
    type: T,
    durable: string,
    handler: EventHandler<EventData<S, T>>,
  ): this {
    return this.subscribe({ durable, subjects: [eventSubject(service, type)], handler });
  }

  /**
   * Creates or updates the stream and the durable consumers, and resolves once every
   * subscription is pulling.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await ensureEventsStream(this.nats);
    for (const running of this.subs.values()) {
      await this.ensureConsumer(running.sub);
      running.messages = await this.pull(running.sub);
    }
    for (const running of this.subs.values()) running.loop = this.run(running);
    if (this.subs.size > 0) {
      await this.updateLag();
      this.lagTimer = setInterval(() => void this.updateLag(), this.lagEveryMs).unref();
    }
  }

  /**
   * Stops pulling and waits for the messages being handled to finish. Messages already
   * pulled but not started are released (nak) for immediate redelivery elsewhere.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.lagTimer);
    const all = [...this.subs.values()];
    for (const running of all) void running.messages?.close();
    await Promise.all(all.map((r) => r.loop));
  }

  /** Sets `jetstream_consumer_pending` of every durable from JetStream's consumer info. */
  private async updateLag(): Promise<void> {
    try {
      this.jsm ??= await jetstreamManager(this.nats);
      const jsm = this.jsm;
      for (const durable of this.subs.keys()) {
        const info = await jsm.consumers.info(EVENTS_STREAM, durable);
        consumerPending.set({ durable }, info.num_pending + info.num_ack_pending);
      }
    } catch (err) {
      // NATS away for a moment: the gauge keeps its last value until the next refresh.
      this.logger.debug({ err }, 'cannot read the consumers\' pending counts');
    }
  }

  private async ensureConsumer(sub: EventSubscription): Promise<void> {
    const jsm = await jetstreamManager(this.nats);
    // One subject goes in `filter_subject`: `filter_subjects` needs nats-server 2.10.
    const filter: Partial<ConsumerConfig> =
      sub.subjects.length === 1 ? { filter_subject: sub.subjects[0] } : { filter_subjects: sub.subjects };
    const config: Partial<ConsumerConfig> = {
      durable_name: sub.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.ackWaitMs),
      ...filter,
    };
    try {
      await jsm.consumers.add(EVENTS_STREAM, config);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === CONSUMER_EXISTS)) throw err;
      // Exists with another configuration (e.g. new filter subjects after a deploy).
      await jsm.consumers.update(EVENTS_STREAM, sub.durable, { ack_wait: config.ack_wait, ...filter });
    }
  }

  private async pull(sub: EventSubscription): Promise<ConsumerMessages> {
    const consumer = await jetstream(this.nats).consumers.get(EVENTS_STREAM, sub.durable);
    return consumer.consume({ max_messages: PULL_BATCH });
  }

  /** Handles messages one at a time until `stop()`, pulling again after errors. */
  private async run(running: Running): Promise<void> {
    const { durable } = running.sub;
    while (!this.stopping) {
      try {
        running.messages ??= await this.pull(running.sub);
        if (this.stopping) void running.messages.close();
        for await (const msg of running.messages) {
          if (this.stopping) {
            msg.nak();
            continue;
          }
          await this.handle(running.sub, msg);
        }
      } catch (err) {
        if (!this.stopping) this.logger.warn({ err, durable }, 'event consumer interrupted; resubscribing');
      }
      running.messages = undefined;
      if (!this.stopping) await sleep(1_000);
    }
  }

  private async handle(sub: EventSubscription, msg: JsMsg): Promise<void> {
    const envelope = parseEnvelope(msg);
    if (!envelope) {
      this.logger.error({ durable: sub.durable, subject: msg.subject, seq: msg.seq }, 'malformed event dropped');
      errorsTotal.inc({ kind: 'event_handler' });
      // No reason text: `+TERM <reason>` is only understood by nats-server 2.11+.
      msg.term();
      return;
    }
    // Tell JetStream a slow handler is still at work (each +WPI restarts the ack_wait), so
    // it is not redelivered meanwhile; a third of ack_wait leaves two beats of slack.
    const keepAlive = setInterval(() => msg.working(), Math.max(500, this.ackWaitMs / 3));
    // A child of the span that recorded the event, wherever and whenever that was.
    const { span, context } = startSpan(`process ${msg.subject}`, {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.destination.name': msg.subject,
        'messaging.consumer.group.name': sub.durable,
        'messaging.message.id': envelope.id,
        'messaging.message.delivery_count': msg.info.deliveryCount,
      },
      // Tracing is best effort: a traceparent that is not a string is ignored, never fatal.
      parent: extractTrace({
        get: (name) => (name === BusHeaders.traceparent && typeof envelope.traceparent === 'string' ? envelope.traceparent : undefined),
      }),
    });
    try {
      await runInTraceContext(context, () =>
        runWithCorrelation(envelope.correlationId, () =>
          this.emFactory().transactional(async (em) => {
            const inserted = await em.execute<QueryResult>(
              `INSERT INTO ${this.inbox} (consumer, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
              [sub.durable, envelope.id],
              'run',
            );
            // Zero rows: this consumer handled the event before; a redelivery changes nothing.
            if (inserted.affectedRows === 0) return;
            await sub.handler(em, envelope);
          }),
        ),
      );
      msg.ack();
    } catch (err) {
      failSpan(span, err);
      const attempt = msg.info.deliveryCount;
      const delay = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** (attempt - 1));
      errorsTotal.inc({ kind: 'event_handler' });
      this.logger.error(
        { err, durable: sub.durable, eventId: envelope.id, eventType: envelope.type, attempt, retryInMs: delay },
        'event handler failed; will retry',
      );
      msg.nak(delay);
    } finally {
      clearInterval(keepAlive);
      span.end();
    }
  }
}

/** The envelope, or undefined when the message is not one (it would never succeed). */
function parseEnvelope(msg: JsMsg): EventEnvelope | undefined {
  let value: unknown;
  try {
    value = msg.json();
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Partial<EventEnvelope>;
  const valid =
    typeof e.id === 'string' &&
    UUID.test(e.id) &&
    typeof e.type === 'string' &&
    typeof e.occurredAt === 'string' &&
    typeof e.version === 'number' &&
    'data' in e &&
    (e.correlationId === undefined || typeof e.correlationId === 'string');
  return valid ? (e as EventEnvelope) : undefined;
}
