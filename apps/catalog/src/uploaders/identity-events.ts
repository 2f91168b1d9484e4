import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { EventData, EventEnvelope } from '@octave/contracts';
import type { EventConsumer, Outbox } from '@octave/platform/events';
import type { Logger } from '@octave/platform/observability';
import type { ObjectStore } from '@octave/platform/storage';

/** Durable consumer names; also the inbox's `consumer` column. */
export const USER_DELETED_CONSUMER = 'catalog-users';
export const USER_UPDATED_CONSUMER = 'catalog-user-renames';

/**
 * What the catalog keeps from identity's events: the uploaders' current usernames
 * (shown as `uploader.username`), and the removal of a deleted user's songs.
 */
export class IdentityEventsHandler {
  constructor(
    private readonly outbox: Outbox<'catalog'>,
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
      `INSERT INTO catalog.uploaders (user_id, username, username_at) VALUES (?, ?, ?::timestamptz)
       ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, username_at = EXCLUDED.username_at
       WHERE uploaders.deleted_at IS NULL AND uploaders.username_at < EXCLUDED.username_at`,
      [event.data.userId, event.data.username, event.occurredAt],
      'run',
    );
  }

  /**
   * Deletes the user's songs, each with its `song.deleted` event, and their audio. The
   * tombstone refuses uploads still in flight with the user's last token. Objects are
   * removed before the transaction commits: if that fails, everything rolls back and
   * the event is redelivered, so no object is ever left without a way to be removed.
   */
  async userDeleted(em: SqlEntityManager, event: EventEnvelope<EventData<'identity', 'user.deleted'>>): Promise<void> {
    const { userId } = event.data;
    await em.execute(
      `INSERT INTO catalog.uploaders (user_id, username, deleted_at) VALUES (?, '', now())
       ON CONFLICT (user_id) DO UPDATE SET deleted_at = coalesce(uploaders.deleted_at, now())`,
      [userId],
      'run',
    );
    const deleted = await em.execute<{ id: number; object_key: string }[]>(
      'DELETE FROM catalog.songs WHERE uploader_id = ? RETURNING id, object_key',
      [userId],
    );
    for (const song of deleted) {
      await this.outbox.record(em, 'song.deleted', { songId: song.id, uploaderId: userId });
    }
    await this.store.removeMany(deleted.map((s) => s.object_key));
    if (deleted.length > 0) this.logger.info({ userId, songs: deleted.length }, "deleted a deleted user's songs");
  }
}
