import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { EventData, EventEnvelope } from '@octave/contracts';
import type { EventConsumer, Outbox } from '@octave/platform/events';
import type { Logger } from '@octave/platform/observability';
import type { ObjectStore } from '@octave/platform/storage';

/** Durable consumer names; also the inbox's `consumer` column. */
export const USER_DELETED_CONSUMER = 'playlists-users';
export const USER_UPDATED_CONSUMER = 'playlists-user-renames';

/**
 * What the playlists service keeps from identity's events: the owners' current
 * usernames (shown as `owner.username`), and the removal of a deleted user's playlists.
 */
export class IdentityEventsHandler {
  constructor(
    private readonly outbox: Outbox<'playlists'>,
    private readonly store: ObjectStore,
    private readonly logger: Logger,
  ) {}

  /** Registers the handlers with the service's consumer (before it starts). */
  subscribe(consumer: EventConsumer): void {
    consumer.on('identity', 'user.updated', USER_UPDATED_CONSUMER, (em, event) => this.userUpdated(em, event));
    consumer.on('identity', 'user.deleted', USER_DELETED_CONSUMER, (em, event) => this.userDeleted(em, event));
  }

  /**
   * Keeps the newest username: an event older than what is stored (a redelivery after a
   * later one) changes nothing, and a deleted user stays deleted.
   */
  async userUpdated(em: SqlEntityManager, event: EventEnvelope<EventData<'identity', 'user.updated'>>): Promise<void> {
    await em.execute(
      `INSERT INTO playlists.users (id, username, username_at) VALUES (?, ?, ?::timestamptz)
       ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, username_at = EXCLUDED.username_at
       WHERE users.deleted_at IS NULL AND users.username_at < EXCLUDED.username_at`,
      [event.data.userId, event.data.username, event.occurredAt],
      'run',
    );
  }

  /**
   * Deletes the user's playlists (their entries go with them), each with its
   * `playlist.deleted` event, and their covers. The tombstone's update waits for
   * playlists being created with the user's last token (they share-lock the row), so
   * those are deleted too, and refuses later ones. Covers are removed before the
   * transaction commits: if that fails, everything rolls back and the event is
   * redelivered, so no cover is ever left without a way to be removed.
   */
  async userDeleted(em: SqlEntityManager, event: EventEnvelope<EventData<'identity', 'user.deleted'>>): Promise<void> {
    const { userId } = event.data;
    await em.execute(
      `INSERT INTO playlists.users (id, username, deleted_at) VALUES (?, '', now())
       ON CONFLICT (id) DO UPDATE SET deleted_at = coalesce(users.deleted_at, now())`,
      [userId],
      'run',
    );
    // Locked in id order, as the `song.deleted` handler locks playlists.
    const playlists = await em.execute<{ id: number; cover_key: string | null }[]>(
      'SELECT id, cover_key FROM playlists.playlists WHERE owner_id = ? ORDER BY id FOR UPDATE',
      [userId],
    );
    if (playlists.length === 0) return;
    await em.execute('DELETE FROM playlists.playlists WHERE owner_id = ?', [userId], 'run');
    for (const playlist of playlists) {
      await this.outbox.record(em, 'playlist.deleted', { playlistId: playlist.id, ownerId: userId });
    }
    await this.store.removeMany(playlists.flatMap((p) => p.cover_key ?? []));
    this.logger.info({ userId, playlists: playlists.length }, "deleted a deleted user's playlists");
  }
}
