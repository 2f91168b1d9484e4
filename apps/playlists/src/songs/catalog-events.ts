import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { EventData, EventEnvelope } from '@octave/contracts';
import type { EventConsumer } from '@octave/platform/events';
import type { Logger } from '@octave/platform/observability';
import { closeGaps } from '../entries/positions.js';

/** Durable consumer name; also the inbox's `consumer` column. */
export const SONG_DELETED_CONSUMER = 'playlists-songs';

/** What the playlists service does about the catalog's events: deleted songs leave every playlist. */
export class CatalogEventsHandler {
  constructor(private readonly logger: Logger) {}

  /** Registers the handler with the service's consumer (before it starts). */
  subscribe(consumer: EventConsumer): void {
    consumer.on('catalog', 'song.deleted', SONG_DELETED_CONSUMER, (em, event) => this.songDeleted(em, event));
  }

  /**
   * Tombstones the song, then removes its entries from every playlist and closes the
   * gaps. The tombstone's update waits for adds of this song still in flight (they
   * share-lock its row), so their entries are seen and removed here; later adds see the
   * tombstone and answer 404. The playlists are locked in id order, as one at a time by
   * every other change, so positions stay dense and no two handlers deadlock.
   */
  async songDeleted(em: SqlEntityManager, event: EventEnvelope<EventData<'catalog', 'song.deleted'>>): Promise<void> {
    const { songId } = event.data;
    await em.execute(
      `INSERT INTO playlists.songs (id, deleted_at) VALUES (?, now())
       ON CONFLICT (id) DO UPDATE SET deleted_at = coalesce(songs.deleted_at, now())`,
      [songId],
      'run',
    );
    const locked = await em.execute<{ id: number }[]>(
      `SELECT id FROM playlists.playlists
       WHERE id IN (SELECT playlist_id FROM playlists.playlist_songs WHERE song_id = ?)
       ORDER BY id FOR UPDATE`,
      [songId],
    );
    if (locked.length === 0) return;
    const playlistIds = locked.map((r) => r.id);
    const removed = await em.execute<{ id: number }[]>(
      'DELETE FROM playlists.playlist_songs WHERE song_id = ? RETURNING id',
      [songId],
    );
    await closeGaps(em, playlistIds);
    await em.execute('UPDATE playlists.playlists SET updated_at = now() WHERE id IN (?)', [playlistIds], 'run');
    this.logger.info({ songId, playlists: playlistIds.length, entries: removed.length }, 'removed a deleted song from playlists');
  }
}
