import { defineConfig, type Options } from '@mikro-orm/postgresql';
import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from '../observability/index.js';

/**
 * MikroORM options for one service: its own schema, entities listed explicitly (no
 * folder scanning: the build output and the test sources have different paths).
 */
export function ormOptions(opts: {
  databaseUrl: string;
  schema: string;
  entities: Options['entities'];
  poolMax?: number;
  logger?: Logger;
}): Options {
  return defineConfig({
    clientUrl: opts.databaseUrl,
    schema: opts.schema,
    entities: opts.entities,
    pool: { min: 0, max: opts.poolMax ?? 10 },
    // The schema is owned by the SQL migrations; the ORM never alters it.
    ensureDatabase: false,
    allowGlobalContext: false,
    debug: false,
    forceUtcTimezone: true,
  });
}

/** Readiness: a round trip to the database. */
export async function pingDatabase(orm: MikroORM): Promise<{ status: 'up' | 'down'; message?: string }> {
  try {
    await orm.em.fork().getConnection().execute('SELECT 1');
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', message: (err as Error).message };
  }
}
