import type { SqlEntityManager as EntityManager } from '@mikro-orm/postgresql';

/**
 * Serialises every change between two users, whatever the table: a transaction that
 * reads and changes the friendship, follows or blocks of a pair takes this lock first,
 * so a block and a follow (or two crossing friend requests) arriving together are
 * applied one after the other, each seeing the other's result. The two-key advisory
 * lock space holds the unordered pair exactly; it is released at commit or rollback.
 */
export async function lockPair(em: EntityManager, a: number, b: number): Promise<void> {
  await em.execute('SELECT pg_advisory_xact_lock(least(?::int, ?::int), greatest(?::int, ?::int))', [a, b, a, b]);
}
