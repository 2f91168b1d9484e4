import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { Actor, EventData, EventEnvelope } from '@octave/contracts';
import type { EventConsumer } from './consumer.js';
import { quoteIdentifier, quoteSchema } from './sql.js';

export interface UserDirectoryOptions {
  /** The service's schema, which holds the table. */
  schema: string;
  /**
   * The table, in the service's own migrations:
   * `(<idColumn> integer PRIMARY KEY, username text NOT NULL,
   *   username_at timestamptz NOT NULL DEFAULT '-infinity', deleted_at timestamptz)`.
   * `username_at` is when `username` was true: an event's time, or -infinity for a name
   * taken from an access token, so any event wins over it.
   */
  table: string;
  /** The column holding the user's id. */
  idColumn: string;
}

/** Durable consumer names (one subject each: nats-server 2.9 takes one filter per consumer). */
export interface UserDirectoryConsumers {
  /** Follows `identity.events.user.updated`. */
  renames: string;
  /** Follows `identity.events.user.deleted`. */
  deletions: string;
}

/** What a service removes of a deleted user, in the consumer's transaction, after the tombstone. */
export type UserDeletedHandler = (em: SqlEntityManager, userId: number) => Promise<void>;

/**
 * A service's own directory of the users it shows, kept from identity's events: one row
 * per user it has heard of, with the newest username, or a tombstone once the account is
 * deleted, so that a request still carrying the user's last (valid) token cannot bring
 * them back.
 *
 * The tombstone and `lockLive` make deletion safe against requests in flight: the
 * `user.deleted` handler updates the user's row first, and a request share-locks the
 * same row until it commits, so either the handler sees what the request wrote and
 * removes it, or the request sees the tombstone and is refused.
 *
 * @example
 * const uploaders = new UserDirectory({ schema: 'catalog', table: 'uploaders', idColumn: 'user_id' });
 * uploaders.follow(events, { renames: 'catalog-user-renames', deletions: 'catalog-users' }, deleteSongs);
 */
export class UserDirectory {
  private readonly table: string;
  private readonly id: string;

  constructor(opts: UserDirectoryOptions) {
    this.table = `${quoteSchema(opts.schema)}.${quoteIdentifier(opts.table, 'table name')}`;
    this.id = quoteIdentifier(opts.idColumn, 'column name');
  }

  /**
   * Subscribes `consumer` (before it starts) to identity's `user.updated`, which keeps
   * the newest username, and `user.deleted`, which lays the tombstone and then runs
   * `onDeleted` in the same transaction.
   */
  follow(consumer: EventConsumer, durables: UserDirectoryConsumers, onDeleted: UserDeletedHandler): void {
    consumer
      .on('identity', 'user.updated', durables.renames, (em, event) => this.rename(em, event))
      .on('identity', 'user.deleted', durables.deletions, async (em, event) => {
        await this.tombstone(em, event.data.userId);
        await onDeleted(em, event.data.userId);
      });
  }

  /**
   * Keeps the newest username: an event older than what is stored (a redelivery after a
   * later one) changes nothing, and a deleted user stays deleted.
   */
  async rename(em: SqlEntityManager, event: EventEnvelope<EventData<'identity', 'user.updated'>>): Promise<void> {
    await em.execute(
      `INSERT INTO ${this.table} AS u (${this.id}, username, username_at) VALUES (?, ?, ?::timestamptz)
       ON CONFLICT (${this.id}) DO UPDATE SET username = EXCLUDED.username, username_at = EXCLUDED.username_at
       WHERE u.deleted_at IS NULL AND u.username_at < EXCLUDED.username_at`,
      [event.data.userId, event.data.username, event.occurredAt],
      'run',
    );
  }

  /**
   * Marks the user deleted (once; a redelivery keeps the first time) and returns their
   * last known username ('' for a user the service never knew by name). Waits for
   * requests holding the row's share lock.
   */
  async tombstone(em: SqlEntityManager, userId: number): Promise<string> {
    const [row] = await em.execute<{ username: string }[]>(
      `INSERT INTO ${this.table} AS u (${this.id}, username, deleted_at) VALUES (?, '', now())
       ON CONFLICT (${this.id}) DO UPDATE SET deleted_at = coalesce(u.deleted_at, now()) RETURNING username`,
      [userId],
    );
    return row.username;
  }

  /**
   * The stored usernames of `ids`, by id, in one query (none for no ids). A deleted user
   * keeps the name they had when deleted ('' if the service never knew it); an id the
   * service has never heard of is missing from the map.
   */
  async usernames(em: SqlEntityManager, ids: readonly number[]): Promise<Map<number, string>> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return new Map();
    const rows = await em.execute<{ id: number; username: string }[]>(
      `SELECT ${this.id} AS id, username FROM ${this.table} WHERE ${this.id} IN (?)`,
      [wanted],
    );
    return new Map(rows.map((r) => [r.id, r.username]));
  }

  /**
   * Inside a write transaction: makes sure the actor is known by name (the token's,
   * unless events already told a newer one) and share-locks their row until the commit.
   * False when the account is deleted: the caller refuses the request.
   */
  async lockLive(tx: SqlEntityManager, actor: Actor): Promise<boolean> {
    await tx.execute(
      `INSERT INTO ${this.table} (${this.id}, username) VALUES (?, ?) ON CONFLICT (${this.id}) DO NOTHING`,
      [actor.id, actor.username],
      'run',
    );
    const [row] = await tx.execute<{ deleted: boolean }[]>(
      `SELECT deleted_at IS NOT NULL AS deleted FROM ${this.table} WHERE ${this.id} = ? FOR SHARE`,
      [actor.id],
    );
    return row !== undefined && !row.deleted;
  }
}
