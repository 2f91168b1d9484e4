import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type MessageHandler, type NatsOptions, ServerNats } from '@nestjs/microservices';
import { MikroORM } from '@mikro-orm/core';
import type { NatsConnection, Subscription, SubscriptionOptions } from '@nats-io/transport-node';
import type { ServiceName } from '@octave/contracts';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { NestPinoLogger, type Logger } from '../observability/index.js';
import { RpcContextInterceptor, RpcErrorFilter } from './server.js';

/** How long a closing service waits for the requests it is handling, by default. */
export const RPC_DRAIN_TIMEOUT_MS = 5_000;
const FLUSH_TIMEOUT_MS = 1_000;

/**
 * Nest's NATS transport, closed gracefully. Nest's own `close()` closes the connection
 * at once, losing the replies of the requests still being handled (their callers time
 * out), and its `gracefulShutdown` option waits a fixed time whatever is in flight.
 * This one unsubscribes first (NATS then hands new requests to other replicas, or
 * answers "no responders" at once), waits until the requests in hand have replied
 * (at most `drainTimeoutMs`), flushes the replies, and only then closes.
 */
export class GracefulNatsServer extends ServerNats {
  private readonly subs: Subscription[] = [];
  private inFlight = 0;
  private idle?: () => void;
  private closing?: Promise<void>;

  constructor(
    options: Required<NatsOptions>['options'],
    private readonly drainTimeoutMs: number,
    private readonly log: Logger,
  ) {
    super(options);
    // Nest runs these around every request and event it dispatches; the end hook runs
    // once the handler's answer is produced, and the reply goes out on the next tick.
    this.setOnProcessingStartHook((_transport, _context, done) => {
      this.inFlight++;
      return done();
    });
    this.setOnProcessingEndHook(() => {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    });
  }

  /**
   * Our subjects are plain strings, the handlers' keys as they are. Nest's own lookup
   * first tries each subject as JSON, and the `JSON.parse` that throws for every
   * message (a SyntaxError with its stack trace) was 5 % of the catalog's CPU.
   */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return this.messageHandlers.get(pattern) ?? super.getHandlerByPattern(pattern);
  }

  /** Keeps the subscriptions Nest makes, so `close()` can end them before the connection. */
  override bindEvents(client: NatsConnection): void {
    super.bindEvents({
      subscribe: (subject: string, opts?: SubscriptionOptions) => {
        const sub = client.subscribe(subject, opts);
        this.subs.push(sub);
        return sub;
      },
    });
  }

  override close(): Promise<void> {
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  private async drainAndClose(): Promise<void> {
    for (const sub of this.subs.splice(0)) sub.unsubscribe();
    if (this.inFlight > 0) {
      const pending = this.inFlight;
      const drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.drainTimeoutMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      if (drained) this.log.info({ requests: pending }, 'answered the requests in flight');
      else this.log.warn({ requests: this.inFlight }, `requests still running after ${this.drainTimeoutMs} ms; closing anyway`);
    }
    // The last replies are published on the next tick after their handlers end; the
    // flush waits for the server to have them, but not forever while NATS is away.
    await nextTurn();
    const nc = this.connection();
    if (nc) {
      const flushed = new AbortController();
      await Promise.race([
        nc.flush().catch(() => undefined),
        sleep(FLUSH_TIMEOUT_MS, undefined, { signal: flushed.signal }).catch(() => undefined),
      ]).finally(() => flushed.abort());
    }
    await super.close();
  }

  /** The transport's connection; none when it never connected (a failed start). */
  private connection(): NatsConnection | undefined {
    try {
      return this.unwrap<NatsConnection>();
    } catch {
      return undefined;
    }
  }
}

/**
 * A service's NestJS microservice on NATS: its RPC handlers share the queue group named
 * after the service, so replicas split the load; every handler runs behind the error
 * envelope filter and the unit-of-work interceptor. On SIGTERM/SIGINT it stops taking
 * requests, answers those in hand, runs the shutdown hooks and exits with code 0.
 */
export async function createMicroservice(
  module: unknown,
  opts: { service: ServiceName; natsUrl: string; logger: Logger; drainTimeoutMs?: number },
): Promise<INestMicroservice> {
  const natsOptions: Required<NatsOptions>['options'] = {
    servers: [opts.natsUrl],
    queue: opts.service,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  const app = await NestFactory.createMicroservice(module as never, {
    strategy: new GracefulNatsServer(natsOptions, opts.drainTimeoutMs ?? RPC_DRAIN_TIMEOUT_MS, opts.logger),
    logger: new NestPinoLogger(opts.logger),
    // Errors at start reach the caller (which logs them and exits) instead of Nest
    // exiting the process on its own.
    abortOnError: false,
  });
  // Services without a database (none yet, but tests have them) get no ORM context.
  let orm: MikroORM | undefined;
  try {
    orm = app.get(MikroORM, { strict: false });
  } catch {
    orm = undefined;
  }
  app.useGlobalFilters(new RpcErrorFilter(opts.logger));
  app.useGlobalInterceptors(new RpcContextInterceptor(opts.logger, orm));
  // Exit code 0 once shut down, rather than Nest re-raising the signal: a clean stop is
  // not a crash, and the exit event lets the logger flush.
  app.enableShutdownHooks([], { useProcessExit: true });
  return app;
}
