import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { EventConsumer, Outbox } from '@octave/platform/events';
import type { Logger } from '@octave/platform/observability';
import type { ObjectStore } from '@octave/platform/storage';
import { ownerDirectory } from './owners.js';

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
    ownerDirectory.follow(consumer, { renames: USER_UPDATED_CONSUMER, deletions: USER_DELETED_CONSUMER }, (em, userId) =>
      this.deletePlaylists(em, userId),
    );
  }

  /**
   * Deletes a deleted user's playlists (their entries go with them), each with its
   * `playlist.deleted` event, and their covers. The tombstone, laid first, waited for
   * playlists being created with the user's last token (they share-lock the row), so
   * those are deleted too, and refuses later ones. Covers are removed before the
   * transaction commits: if that fails, everything rolls back and the event is
   * redelivered, so no cover is ever left without a way to be removed.
   */
  async deletePlaylists(em: SqlEntityManager, userId: number): Promise<void> {
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
