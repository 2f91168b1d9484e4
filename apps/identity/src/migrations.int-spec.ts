import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@octave/platform/observability';
import { startTestInfra, type TestInfra } from '@octave/platform/testing';
import { startService, startupFailure } from '@octave/platform/service';
import { identityService, MIGRATIONS_DIR } from './app.js';
import { loadIdentityConfig } from './config.js';

describe('identity start-up migrations', () => {
  let infra: TestInfra;
  let dir: string;

  beforeAll(async () => {
    infra = await startTestInfra('identity_migrations');
    // A copy, so the test can edit an applied migration without touching the real one.
    dir = await mkdtemp(path.join(tmpdir(), 'identity-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
  });
  afterAll(async () => {
    await infra?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start once an applied migration was edited, naming the file', async () => {
    const config = loadIdentityConfig(infra.env);
    const logger = createLogger('identity', { level: 'silent' });

    // First start applies the migrations; a restart with the same sources is fine.
    await (await startService(identityService, config, { logger, migrationsDir: dir })).close();
    await (await startService(identityService, config, { logger, migrationsDir: dir })).close();

    await appendFile(path.join(dir, '0001_init.sql'), '\n-- an innocent-looking edit\n');
    const failure = await startService(identityService, config, { logger, migrationsDir: dir }).then(
      () => {
        throw new Error('the service started with an edited migration');
      },
      (err: unknown) => err,
    );
    expect(startupFailure(failure)).toMatch(/0001_init\.sql.*edited/);
  });
});
