import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startS3Server } from '../storage/index.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startNatsServer, type NatsServerHandle } from './nats-server.js';
import { startPostgresCluster, type PostgresClusterHandle } from './postgres-cluster.js';

export interface TestInfra {
  db: TestDatabase;
  nats: NatsServerHandle;
  /** The private PostgreSQL cluster the database lives in, when one was asked for. */
  postgres?: PostgresClusterHandle;
  s3: { endpoint: string; accessKey: string; secretKey: string; bucket: string };
  /** The environment a service process needs to use this infrastructure. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface TestInfraOptions {
  /**
   * Put the database in a private PostgreSQL cluster (`infra.postgres`) instead of the
   * machine's server, for tests that stop and crash PostgreSQL.
   */
  privatePostgres?: boolean;
}

/**
 * Real PostgreSQL (a new database), a private NATS server with JetStream and an S3
 * protocol server, for one test file. Everything is removed by `stop()`.
 */
export async function startTestInfra(label: string, opts: TestInfraOptions = {}): Promise<TestInfra> {
  const postgres = opts.privatePostgres ? await startPostgresCluster() : undefined;
  const [db, nats, s3Dir] = await Promise.all([
    createTestDatabase(label, postgres?.adminUrl),
    startNatsServer(),
    mkdtemp(path.join(tmpdir(), 'octave-s3-')),
  ]);
  const bucket = 'octave-test';
  const s3 = await startS3Server({ directory: s3Dir, bucket });
  return {
    db,
    nats,
    postgres,
    s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket },
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: bucket,
      // Services under test pick a free port for their health endpoint.
      HEALTH_PORT: '0',
    },
    stop: async () => {
      await Promise.allSettled([db.drop(), nats.dispose(), s3.close()]);
      await postgres?.dispose();
      await rm(s3Dir, { recursive: true, force: true });
    },
  };
}
