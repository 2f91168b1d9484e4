import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../observability/index.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { ensureDatabase, MigrationHistoryError, runMigrations } from './migrations.js';

const logger = createLogger('test', { level: 'silent' });

describe('runMigrations', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase('migrations');
    dir = await mkdtemp(path.join(tmpdir(), 'octave-migrations-'));
  });
  afterAll(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const query = async (sql: string) => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
  const run = () => runMigrations({ databaseUrl: db.url, schema: 'svc', dir, logger });

  it('applies pending migrations in order into the schema and records their digests', async () => {
    await writeFile(path.join(dir, '0001_init.sql'), 'CREATE TABLE things (id int PRIMARY KEY);');
    await writeFile(path.join(dir, '0002_more.sql'), 'ALTER TABLE things ADD COLUMN name text;');
    await writeFile(path.join(dir, 'README.md'), 'not a migration');
    expect((await run()).applied).toEqual(['0001_init.sql', '0002_more.sql']);
    const rows = await query('SELECT id, name, length(digest) AS len, executed_at FROM svc.migrations ORDER BY id');
    expect(rows.map((r) => [r.id, r.name, r.len])).toEqual([
      [1, '0001_init.sql', 32],
      [2, '0002_more.sql', 32],
    ]);
    await query("INSERT INTO svc.things (id, name) VALUES (1, 'x')");
  });

  it('is a no-op when nothing is pending, and replicas starting together apply each migration once', async () => {
    await writeFile(path.join(dir, '0003_index.sql'), 'CREATE INDEX things_name_idx ON things (name);');
    const results = await Promise.all([run(), run(), run()]);
    expect(results.flatMap((r) => r.applied)).toEqual(['0003_index.sql']);
    expect((await run()).applied).toEqual([]);
  });

  it('refuses to start when an applied migration was edited, naming it', async () => {
    await writeFile(path.join(dir, '0002_more.sql'), 'ALTER TABLE things ADD COLUMN name varchar(10);');
    await expect(run()).rejects.toThrow(MigrationHistoryError);
    await expect(run()).rejects.toThrow(/0002_more\.sql.*edited/);
    await writeFile(path.join(dir, '0002_more.sql'), 'ALTER TABLE things ADD COLUMN name text;');
  });

  it('refuses to start when an applied migration is missing', async () => {
    await unlink(path.join(dir, '0003_index.sql'));
    await expect(run()).rejects.toThrow(/0003_index\.sql.*missing/);
    await writeFile(path.join(dir, '0003_index.sql'), 'CREATE INDEX things_name_idx ON things (name);');
  });

  it('rolls back a failing migration entirely and names it', async () => {
    await writeFile(path.join(dir, '0004_bad.sql'), 'CREATE TABLE half (id int); SELECT * FROM no_such_table;');
    await expect(run()).rejects.toThrow(/0004_bad\.sql.*failed/);
    const tables = await query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'svc' AND table_name = 'half'");
    expect(tables).toHaveLength(0);
    await unlink(path.join(dir, '0004_bad.sql'));
  });

  it('creates the database on first start', async () => {
    const url = new URL(db.url);
    const name = `${db.name}_created`;
    url.pathname = `/${name}`;
    await ensureDatabase(url.toString());
    await ensureDatabase(url.toString());
    const rows = await query(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
    expect(rows).toHaveLength(1);
    await query(`DROP DATABASE "${name}" WITH (FORCE)`);
  });

  it('creates a new database once when several services start together, failing none', async () => {
    for (let round = 0; round < 5; round++) {
      const url = new URL(db.url);
      const name = `${db.name}_together_${round}`;
      url.pathname = `/${name}`;
      try {
        // Each call opens its own connection, as each service does at start; and someone
        // who knows nothing of the services' lock creates it at the same moment.
        const outsider = query(`CREATE DATABASE "${name}"`).catch(() => undefined);
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => ensureDatabase(url.toString())));
        await outsider;
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
        expect(await query(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).toHaveLength(1);
      } finally {
        await query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
    }
  });
});
