import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM, type SqlEntityManager } from '@mikro-orm/postgresql';
import type { EventData, EventEnvelope } from '@octave/contracts';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { UserDirectory } from './index.js';

const SCHEMA = 'directory_test';

function renamed(userId: number, username: string, occurredAt: Date): EventEnvelope<EventData<'identity', 'user.updated'>> {
  return {
    id: randomUUID(),
    type: 'user.updated',
    occurredAt: occurredAt.toISOString(),
    version: 1,
    data: { userId, username, fields: ['username'] },
  };
}

describe(UserDirectory.name, () => {
  let db: TestDatabase;
  let orm: MikroORM;
  const em = (): SqlEntityManager => orm.em.fork();
  const users = new UserDirectory({ schema: SCHEMA, table: 'people', idColumn: 'user_id' });

  beforeAll(async () => {
    db = await createTestDatabase('directory');
    orm = await MikroORM.init({ clientUrl: db.url, entities: [], discovery: { warnWhenNoEntities: false } });
    await orm.connect();
    await em().execute(`CREATE SCHEMA ${SCHEMA};
      CREATE TABLE ${SCHEMA}.people (
        user_id integer PRIMARY KEY,
        username text NOT NULL,
        username_at timestamptz NOT NULL DEFAULT '-infinity',
        deleted_at timestamptz
      );`);
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  async function row(userId: number): Promise<{ username: string; deleted: boolean } | undefined> {
    const [r] = await em().execute<{ username: string; deleted: boolean }[]>(
      `SELECT username, deleted_at IS NOT NULL AS deleted FROM ${SCHEMA}.people WHERE user_id = ?`,
      [userId],
    );
    return r;
  }

  it('keeps the newest username from events, whatever order they arrive in, over the name in a token', async () => {
    const now = Date.now();
    await users.rename(em(), renamed(1, 'second', new Date(now)));
    expect(await row(1)).toEqual({ username: 'second', deleted: false });
    await users.rename(em(), renamed(1, 'first', new Date(now - 60_000)));
    expect(await row(1)).toEqual({ username: 'second', deleted: false });
    await em().transactional((tx) => users.lockLive(tx, { id: 1, username: 'from-an-old-token' }));
    expect(await row(1)).toEqual({ username: 'second', deleted: false });

    await em().transactional((tx) => users.lockLive(tx, { id: 2, username: 'from-a-token' }));
    expect(await row(2)).toEqual({ username: 'from-a-token', deleted: false });
    await users.rename(em(), renamed(2, 'from-an-event', new Date(now - 3_600_000)));
    expect(await row(2)).toEqual({ username: 'from-an-event', deleted: false });
  });

  it('tombstones a user once, answering their last name, and then refuses them and ignores renames', async () => {
    await users.rename(em(), renamed(3, 'carol', new Date()));
    expect(await em().transactional((tx) => users.lockLive(tx, { id: 3, username: 'carol' }))).toBe(true);
    expect(await em().transactional((tx) => users.tombstone(tx, 3))).toBe('carol');
    const [first] = await em().execute<{ deleted_at: Date }[]>(`SELECT deleted_at FROM ${SCHEMA}.people WHERE user_id = 3`);
    expect(await em().transactional((tx) => users.tombstone(tx, 3))).toBe('carol');
    const [again] = await em().execute<{ deleted_at: Date }[]>(`SELECT deleted_at FROM ${SCHEMA}.people WHERE user_id = 3`);
    expect(again.deleted_at).toEqual(first.deleted_at);

    await users.rename(em(), renamed(3, 'carol.new', new Date(Date.now() + 60_000)));
    expect(await row(3)).toEqual({ username: 'carol', deleted: true });
    expect(await em().transactional((tx) => users.lockLive(tx, { id: 3, username: 'carol' }))).toBe(false);

    expect(await em().transactional((tx) => users.tombstone(tx, 4))).toBe('');
    expect(await em().transactional((tx) => users.lockLive(tx, { id: 4, username: 'never-seen' }))).toBe(false);
  });

  it("answers each known user's name once, a deleted user's last one, and nothing for unknown ids", async () => {
    await users.rename(em(), renamed(10, 'erin', new Date()));
    await em().transactional((tx) => users.lockLive(tx, { id: 11, username: 'frank' }));
    await users.rename(em(), renamed(12, 'grace', new Date()));
    await em().transactional((tx) => users.tombstone(tx, 12));
    await em().transactional((tx) => users.tombstone(tx, 13));

    const names = await users.usernames(em(), [11, 10, 12, 13, 10, 99]);
    expect(names).toEqual(
      new Map([
        [11, 'frank'],
        [10, 'erin'],
        [12, 'grace'],
        [13, ''],
      ]),
    );
    expect(await users.usernames(em(), [])).toEqual(new Map());
  });

  it("makes a tombstone wait until a request holding the user's row commits", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Known already: the request only reads the row (a new one would make the deletion wait on its insert).
    await users.rename(em(), renamed(5, 'dave', new Date()));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const request = em().transactional(async (tx) => {
      expect(await users.lockLive(tx, { id: 5, username: 'dave' })).toBe(true);
      locked();
      await held;
    });
    await isLocked;
    let tombstoned = false;
    const deletion = em()
      .transactional((tx) => users.tombstone(tx, 5))
      .then((name) => ((tombstoned = true), name));
    // The deletion's statement is waiting on the request's lock, not merely not yet sent.
    for (const deadline = Date.now() + 10_000; ; ) {
      if (Date.now() > deadline) throw new Error("the tombstone never waited for the request's lock");
      const [waiting] = await em().execute<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%deleted_at = coalesce%'`,
      );
      if (waiting.n > 0) break;
      await sleep(20);
    }
    expect(tombstoned).toBe(false);
    release();
    await request;
    expect(await deletion).toBe('dave');
  });

  it('refuses names that are not plain SQL identifiers', () => {
    expect(() => new UserDirectory({ schema: SCHEMA, table: 'people; DROP TABLE x', idColumn: 'user_id' })).toThrow(/invalid table name/);
    expect(() => new UserDirectory({ schema: SCHEMA, table: 'people', idColumn: 'id"' })).toThrow(/invalid column name/);
    expect(() => new UserDirectory({ schema: 'a.b', table: 'people', idColumn: 'id' })).toThrow(/invalid schema name/);
  });
});
