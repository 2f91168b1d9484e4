import {
  Controller,
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  type INestMicroservice,
  Module,
  type OnApplicationShutdown,
  type Provider,
  type Type,
} from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { MikroORM as CoreMikroORM } from '@mikro-orm/core';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HealthReport, ServiceName } from '@octave/contracts';
import { connectNats, createMicroservice } from '../bus/index.js';
import { baseConfigShape, ConfigError, databaseConfigShape, z } from '../config/index.js';
import { ensureEventsStream, EventConsumer, Outbox, OutboxRelay } from '../events/index.js';
import { createLogger, startHealthServer, startTracing, type HealthServer, type Logger } from '../observability/index.js';
import { ensureDatabase, MigrationHistoryError, ormOptions, pingDatabase, runMigrations } from '../persistence/index.js';
import { ObjectStore } from '../storage/index.js';
import { NATS_CONNECTION, OUTBOX, SERVICE_CONFIG, SERVICE_LOGGER } from './tokens.js';

/** Variables of every service process; `healthPort` is the service's default `HEALTH_PORT`. */
export function serviceConfigShape(healthPort: number) {
  return {
    ...baseConfigShape,
    ...databaseConfigShape,
    HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).default(healthPort),
    /** Replicas of the events stream: 3 on a clustered production NATS. */
    EVENTS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  };
}

/** The configuration every service process reads (see `serviceConfigShape`). */
export interface ServiceConfig {
  LOG_LEVEL: string;
  LOG_PRETTY: boolean;
  NATS_URL: string;
  DATABASE_URL: string;
  DATABASE_POOL_MAX: number;
  HEALTH_PORT: number;
  EVENTS_STREAM_REPLICAS: number;
  S3_ENDPOINT?: string;
  S3_PUBLIC_ENDPOINT?: string;
  S3_ACCESS_KEY?: string;
  S3_SECRET_KEY?: string;
  S3_BUCKET?: string;
  S3_REGION?: string;
}

/** What a service is made of; `startService` does the rest the same way for all. */
export interface ServiceDefinition<C extends ServiceConfig> {
  name: ServiceName;
  /** The PostgreSQL schema the service owns. */
  schema: string;
  /** `apps/<service>/migrations` (see ADR 0002). */
  migrationsDir: string;
  entities: NonNullable<Parameters<typeof ormOptions>[0]['entities']>;
  /** Opens the object store (and checks its bucket) when the service keeps media. */
  storage?: boolean;
  /** The service's controllers and providers; the runtime's resources are injectable globally. */
  module: Type<unknown> | DynamicModule;
  /** Durable event subscriptions, registered before the consumer starts. */
  subscribe?: (events: EventConsumer, resources: ServiceResources<C>) => void;
}

export interface ServiceResources<C extends ServiceConfig = ServiceConfig> {
  config: C;
  logger: Logger;
  orm: MikroORM;
  nats: NatsConnection;
  store?: ObjectStore;
}

export interface RunningService<C extends ServiceConfig = ServiceConfig> extends ServiceResources<C> {
  app: INestMicroservice;
  relay: OutboxRelay;
  events: EventConsumer;
  health: HealthServer;
  /** Stops taking requests and messages, publishes the outbox, closes everything. */
  close(): Promise<void>;
}

/** Answers `<service>.health.ping` over the bus and `/health/ready` over HTTP alike. */
async function healthReport(name: ServiceName, r: ServiceResources): Promise<HealthReport> {
  const checks: HealthReport['checks'] = {
    database: await pingDatabase(r.orm),
    nats: r.nats.isClosed() ? { status: 'down', message: 'connection closed' } : { status: 'up' },
  };
  if (r.store) {
    checks.objectStore = (await r.store.ping()) ? { status: 'up' } : { status: 'down', message: 'bucket unreachable' };
  }
  const up = Object.values(checks).every((c) => c.status === 'up');
  return { service: name, status: up ? 'up' : 'down', checks };
}

function healthController(name: ServiceName, resources: ServiceResources): Type<unknown> {
  @Controller()
  class HealthRpcController {
    ping(): Promise<HealthReport> {
      return healthReport(name, resources);
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(HealthRpcController.prototype, 'ping')!;
  MessagePattern(`${name}.health.ping`)(HealthRpcController.prototype, 'ping', descriptor);
  return HealthRpcController;
}

/**
 * Releases what the runtime opened, after Nest has closed the NATS transport (for
 * `app.close()` and SIGTERM/SIGINT alike), which stops taking requests and answers
 * those in hand first (see `GracefulNatsServer`): consumers finish their message in
 * flight, the relay publishes what the last requests recorded, then the database and
 * NATS close and the last spans are exported.
 */
type ShutdownSteps = [string, () => Promise<unknown>][];
const SHUTDOWN_STEPS = Symbol('SHUTDOWN_STEPS');

@Injectable()
class ServiceShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(SHUTDOWN_STEPS) private readonly steps: ShutdownSteps,
  ) {}

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.info({ signal }, 'shutting down');
    for (const [name, step] of this.steps) {
      await step().catch((err: unknown) => this.logger.error({ err }, `shutdown: closing ${name} failed`));
    }
    this.logger.info('stopped');
  }
}

@Global()
@Module({})
class ServiceRuntimeModule {}

function runtimeModule(
  def: ServiceDefinition<ServiceConfig>,
  r: ServiceResources,
  relay: OutboxRelay,
  events: EventConsumer,
  shutdownSteps: ShutdownSteps,
): DynamicModule {
  const providers: (Provider & { provide: unknown })[] = [
    { provide: SERVICE_CONFIG, useValue: r.config },
    { provide: SERVICE_LOGGER, useValue: r.logger },
    { provide: NATS_CONNECTION, useValue: r.nats },
    // Both ORM classes resolve to the same instance: the bus interceptor looks up the core one.
    { provide: MikroORM, useValue: r.orm },
    { provide: CoreMikroORM, useValue: r.orm },
    // The global manager: inside a message it resolves to that message's own context.
    { provide: EntityManager, useValue: r.orm.em },
    { provide: OUTBOX, useValue: new Outbox({ service: def.name, schema: def.schema }) },
    { provide: OutboxRelay, useValue: relay },
    { provide: EventConsumer, useValue: events },
    ...(r.store ? [{ provide: ObjectStore, useValue: r.store }] : []),
  ];
  return {
    module: ServiceRuntimeModule,
    imports: [def.module],
    controllers: [healthController(def.name, r)],
    providers: [...providers, { provide: SHUTDOWN_STEPS, useValue: shutdownSteps }, ServiceShutdown],
    exports: providers.map((p) => p.provide as string | symbol),
  };
}

/**
 * Starts a service in this process: creates its database and schema, applies its
 * migrations, connects the ORM, NATS and the object store, serves its RPC subjects in
 * the service's queue group, runs its outbox relay and event consumers, and serves
 * health and metrics on `HEALTH_PORT`.
 */
export async function startService<C extends ServiceConfig>(
  def: ServiceDefinition<C>,
  config: C,
  opts: { logger?: Logger; migrationsDir?: string } = {},
): Promise<RunningService<C>> {
  const logger = opts.logger ?? createLogger(def.name, { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const tracing = startTracing(def.name);
  await ensureDatabase(config.DATABASE_URL);
  await runMigrations({ databaseUrl: config.DATABASE_URL, schema: def.schema, dir: opts.migrationsDir ?? def.migrationsDir, logger });

  const orm = await MikroORM.init(
    ormOptions({ databaseUrl: config.DATABASE_URL, schema: def.schema, entities: def.entities, poolMax: config.DATABASE_POOL_MAX, logger }),
  );
  const opened: [string, () => Promise<unknown>][] = [['database', () => orm.close()]];
  const closeOpened = async () => {
    for (const [, close] of opened.reverse()) await close().catch(() => undefined);
  };
  try {
    // MikroORM connects lazily; connecting now makes a bad database fail the start.
    await orm.connect();
    // The runtime's own connection for events: Nest's NATS transport keeps its client private.
    const nats = await connectNats(config.NATS_URL, `${def.name}-events`, logger);
    opened.push(['nats', () => nats.drain()]);
    await ensureEventsStream(nats, { replicas: config.EVENTS_STREAM_REPLICAS });
    const store = def.storage ? await openObjectStore(config, logger) : undefined;
    const resources: ServiceResources<C> = { config, logger, orm, nats, store };

    const emFactory = () => orm.em.fork();
    const relay = new OutboxRelay({ emFactory, nats, schema: def.schema, logger });
    const events = new EventConsumer({ nats, emFactory, schema: def.schema, logger });
    def.subscribe?.(events, resources);

    const shutdownSteps: ShutdownSteps = [];
    const app = await createMicroservice(runtimeModule(def as ServiceDefinition<ServiceConfig>, resources, relay, events, shutdownSteps), {
      service: def.name,
      natsUrl: config.NATS_URL,
      logger,
    });
    const health = await startHealthServer({ port: config.HEALTH_PORT, ready: () => healthReport(def.name, resources), logger });
    // Closed in this order after the transport: what the last messages recorded still goes out.
    shutdownSteps.push(
      ['health server', () => health.close()],
      ['event consumers', () => events.stop()],
      ['outbox relay', () => relay.stop()],
      ['database', () => orm.close()],
      ['nats', () => nats.drain()],
      ['traces', () => tracing.flush()],
    );
    opened.push(['health server', () => health.close()]);
    await app.listen();
    relay.start();
    await events.start();
    logger.info({ nats: config.NATS_URL, healthPort: health.port, tracesExported: tracing.exporting }, `${def.name} service ready`);
    return { ...resources, app, relay, events, health, close: () => app.close() };
  } catch (err) {
    await closeOpened();
    throw err;
  }
}

async function openObjectStore(config: ServiceConfig, logger: Logger): Promise<ObjectStore> {
  if (!config.S3_ENDPOINT || !config.S3_ACCESS_KEY || !config.S3_SECRET_KEY || !config.S3_BUCKET) {
    throw new ConfigError(['S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY and S3_BUCKET are needed by this service']);
  }
  const store = new ObjectStore({
    endpoint: config.S3_ENDPOINT,
    publicEndpoint: config.S3_PUBLIC_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    logger,
  });
  try {
    await store.ensureBucket();
  } catch (err) {
    throw new Error(
      `cannot reach the object store at ${config.S3_ENDPOINT} (${(err as Error).message}). Start it, e.g. \`docker compose up -d minio\`, or set S3_ENDPOINT.`,
      { cause: err },
    );
  }
  return store;
}

/**
 * A service's `main.ts`: reads the configuration, then either applies the migrations
 * and exits (`main.js migrate`, for a Kubernetes init container) or runs the service.
 * A failure to start is one log line naming the cause, and exit code 1.
 */
export async function runServiceMain<C extends ServiceConfig>(def: ServiceDefinition<C>, loadConfig: () => C): Promise<void> {
  const logger = createLogger(def.name);
  try {
    const config = loadConfig();
    if (process.argv[2] === 'migrate') {
      await ensureDatabase(config.DATABASE_URL);
      const { applied } = await runMigrations({ databaseUrl: config.DATABASE_URL, schema: def.schema, dir: def.migrationsDir, logger });
      logger.info({ applied }, `${def.name} migrations up to date`);
      return;
    }
    await startService(def, config);
  } catch (err) {
    const line = `${def.name} service cannot start: ${startupFailure(err)}`;
    if (isExpectedStartupFailure(err)) logger.fatal(line);
    else logger.fatal({ err }, line);
    process.exit(1);
  }
}

/** One line saying why a process could not start. */
export function startupFailure(err: unknown): string {
  if (err instanceof ConfigError) return `invalid configuration: ${err.issues.join('; ')}`;
  return err instanceof Error ? err.message : String(err);
}

/** Failures an operator fixes from the message alone; anything else is logged with its stack. */
export function isExpectedStartupFailure(err: unknown): boolean {
  return (
    err instanceof ConfigError ||
    err instanceof MigrationHistoryError ||
    (err instanceof Error && err.message.startsWith('cannot reach '))
  );
}
