import { fileURLToPath } from 'node:url';
import type { INestMicroservice } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, createMicroservice } from '@octave/platform/bus';
import { ConfigError } from '@octave/platform/config';
import { ensureEventsStream, OutboxRelay } from '@octave/platform/events';
import { createLogger, type Logger } from '@octave/platform/observability';
import { ObjectStore } from '@octave/platform/storage';
import { ensureDatabase, MigrationHistoryError, ormOptions, runMigrations } from '@octave/platform/persistence';
import { AppModule } from './app.module.js';
import { RefreshToken } from './auth/refresh-token.entity.js';
import { IDENTITY_SCHEMA, loadIdentityConfig, type IdentityConfig } from './config.js';
import { User } from './users/user.entity.js';

/** `apps/identity/migrations`, from `src/` (tests) and from `dist/` (runtime) alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export interface IdentityApp {
  app: INestMicroservice;
  orm: MikroORM;
  logger: Logger;
  /** Stops taking requests, publishes the outbox, closes the database and NATS. */
  close(): Promise<void>;
}

export interface IdentityAppOptions {
  logger?: Logger;
  /** Another migrations folder (tests of the migration checks). */
  migrationsDir?: string;
}

/**
 * Starts the identity service in this process: migrates its schema, connects the ORM
 * and NATS, serves the `identity.*` RPC subjects and runs the outbox relay.
 */
export async function createIdentityApp(config: IdentityConfig, opts: IdentityAppOptions = {}): Promise<IdentityApp> {
  const logger = opts.logger ?? createLogger('identity', { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  await ensureDatabase(config.DATABASE_URL);
  await runMigrations({
    databaseUrl: config.DATABASE_URL,
    schema: IDENTITY_SCHEMA,
    dir: opts.migrationsDir ?? MIGRATIONS_DIR,
    logger,
  });

  const orm = await MikroORM.init(
    ormOptions({
      databaseUrl: config.DATABASE_URL,
      schema: IDENTITY_SCHEMA,
      entities: [User, RefreshToken],
      poolMax: config.DATABASE_POOL_MAX,
      logger,
    }),
  );
  let nats: NatsConnection | undefined;
  let app: INestMicroservice | undefined;
  try {
    // The ORM connects lazily; connecting now makes a bad database fail the start.
    await orm.connect();
    // The relay's own connection: Nest's NATS transport does not expose its client.
    nats = await connectNats(config.NATS_URL, 'identity-outbox', logger);
    await ensureEventsStream(nats);
    const store = await openObjectStore(config, logger);
    const relay = new OutboxRelay({ emFactory: () => orm.em.fork(), nats, schema: IDENTITY_SCHEMA, logger });
    app = await createMicroservice(AppModule.register({ config, logger, orm, nats, relay, store }), {
      service: 'identity',
      natsUrl: config.NATS_URL,
      logger,
    });
    await app.listen();
    relay.start();
    logger.info({ nats: config.NATS_URL }, 'identity service ready');
    const started = app;
    return { app: started, orm, logger, close: () => started.close() };
  } catch (err) {
    // The app's shutdown hooks release everything; without an app, release by hand.
    if (app) await app.close().catch(() => undefined);
    else {
      await nats?.close().catch(() => undefined);
      await orm.close().catch(() => undefined);
    }
    throw err;
  }
}

/** The bucket, created if missing; fails with a message naming the store when it cannot be reached. */
async function openObjectStore(config: IdentityConfig, logger: Logger): Promise<ObjectStore> {
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

/** Reads the configuration from `env` and starts the service (what `main.ts` runs). */
export async function bootstrap(env: Record<string, string | undefined> = process.env): Promise<IdentityApp> {
  return createIdentityApp(loadIdentityConfig(env));
}

/** One line saying why the service could not start. */
export function startupFailure(err: unknown): string {
  if (err instanceof ConfigError) return `invalid configuration: ${err.issues.join('; ')}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Failures an operator fixes from the message alone (configuration, an unreachable
 * dependency, an edited migration); anything else is logged with its stack.
 */
export function isExpectedStartupFailure(err: unknown): boolean {
  return (
    err instanceof ConfigError ||
    err instanceof MigrationHistoryError ||
    (err instanceof Error && err.message.startsWith('cannot reach '))
  );
}
