import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../observability/index.js';

/** Raised when the applied history no longer matches the migration sources. */
export class MigrationHistoryError extends Error {
  constructor(
    readonly migration: string,
    reason: string,
  ) {
    super(`migration ${migration}: ${reason}`);
    this.name = 'MigrationHistoryError';
  }
}

export interface MigrationSource {
  name: string;
  sql: string;
}

const GENESIS = Buffer.alloc(32);

/**
 * The digest of each migration chains over every source before it:
 * `d(i) = sha256(d(i-1) ‖ name ‖ 0x00 ‖ sql)`, so editing, removing or reordering an
 * applied migration changes every digest from there on.
 */
export function migrationDigests(sources: MigrationSource[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = GENESIS;
  for (const s of sources) {
    prev = createHash('sha256').update(prev).update(s.name).update('\0').update(s.sql).digest();
    out.push(prev);
  }
  return out;
}

/** Reads `NNNN_name.sql` files of a folder, in name order. */
export async function readMigrationSources(dir: string): Promise<MigrationSource[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (name) => ({ name, sql: await readFile(path.join(dir, name), 'utf8') })));
}

/**
 * Creates the database named in the URL when it does not exist yet (first start).
 * Services starting together all find it missing: they take turns under an advisory
 * lock on the maintenance database, so one creates it and the others then see it.
 * CREATE DATABASE cannot run in a transaction, hence a session lock, held only here.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `cannot reach PostgreSQL at ${url.host} (${(err as Error).message}). Start it, e.g. \`docker compose up -d postgres\`, or set DATABASE_URL.`,
      { cause: err },
    );
  }
  const exists = async () => ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  try {
    if (await exists()) return;
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`octave:create-database:${name}`]);
    if (await exists()) return;
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (err) {
      // Created meanwhile by something that does not take the lock (an operator, an older
      // release): "already exists" (42P04), or the duplicate key of pg_database (23505)
      // when both CREATEs got past the name check at once.
      const code = (err as { code?: string }).code;
      if (!((code === '42P04' || code === '23505') && (await exists()))) throw err;
    }
  } finally {
    // Ending the session releases the advisory lock.
    await client.end();
  }
}

/**
 * Applies the pending migrations of one service's schema, after checking that the
 * applied ones are exactly the sources on disk. One service replica at a time holds
 * the schema's advisory lock, so replicas starting together never race.
 */
export async function runMigrations(opts: {
  databaseUrl: string;
  schema: string;
  dir: string;
  logger: Logger;
}): Promise<{ applied: string[] }> {
  const { schema, logger } = opts;
  const sources = await readMigrationSources(opts.dir);
  const digests = migrationDigests(sources);
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`octave.migrations.${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "${schema}".migrations (
      id integer PRIMARY KEY,
      name text NOT NULL UNIQUE,
      digest bytea NOT NULL,
      executed_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ id: number; name: string; digest: Buffer }>(
      `SELECT id, name, digest FROM "${schema}".migrations ORDER BY id`,
    );
    rows.forEach((row, i) => {
      const source = sources[i];
      if (!source) throw new MigrationHistoryError(row.name, 'was applied but its source file is missing');
      if (source.name !== row.name) {
        throw new MigrationHistoryError(row.name, `was applied as #${row.id} but the sources now have ${source.name} there`);
      }
      if (!digests[i].equals(row.digest)) {
        throw new MigrationHistoryError(row.name, 'was edited after it was applied (digest mismatch); add a new migration instead');
      }
    });
    for (let i = rows.length; i < sources.length; i++) {
      const { name, sql } = sources[i];
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path TO "${schema}", public`);
        await client.query(sql);
        await client.query(`INSERT INTO "${schema}".migrations (id, name, digest) VALUES ($1, $2, $3)`, [i + 1, name, digests[i]]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationHistoryError(name, `failed: ${(err as Error).message}`);
      }
      applied.push(name);
      logger.info({ schema, migration: name }, 'migration applied');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`octave.migrations.${schema}`]).catch(() => undefined);
    await client.end();
  }
  return { applied };
}
