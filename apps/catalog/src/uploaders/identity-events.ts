import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { EventConsumer, Outbox } from '@octave/platform/events';
import type { Logger } from '@octave/platform/observability';
import type { ObjectStore } from '@octave/platform/storage';
import { uploaders } from './uploaders.js';

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
    uploaders.follow(consumer, { renames: USER_UPDATED_CONSUMER, deletions: USER_DELETED_CONSUMER }, (em, userId) =>
      this.deleteSongs(em, userId),
    );
  }

  /**
   * Deletes a deleted user's songs (the tombstone, laid first, refuses uploads still in
   * flight with the user's last token), each with its `song.deleted` event, and their
   * audio. Objects are removed before the transaction commits: if that fails, everything
   * rolls back and the event is redelivered, so no object is ever left without a way to
   * be removed.
   */
  async deleteSongs(em: SqlEntityManager, userId: number): Promise<void> {
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
