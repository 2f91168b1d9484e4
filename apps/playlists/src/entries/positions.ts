import type { SqlEntityManager as EntityManager } from '@mikro-orm/postgresql';

/**
 * Numbers the entries of each playlist 0..n-1 again, keeping their order, after entries
 * left from anywhere in it. The caller holds the playlists' locks.
 */
export async function closeGaps(em: EntityManager, playlistIds: number[]): Promise<void> {
  if (playlistIds.length === 0) return;
  await em.execute(
    `UPDATE playlists.playlist_songs e SET position = r.position
     FROM (SELECT id, (row_number() OVER (PARTITION BY playlist_id ORDER BY position) - 1)::int AS position
           FROM playlists.playlist_songs WHERE playlist_id IN (?)) r
     WHERE e.id = r.id AND e.position <> r.position`,
    [playlistIds],
    'run',
  );
}

/** The number of entries of a playlist, which are at positions 0..count-1. */
export async function entryCount(em: EntityManager, playlistId: number): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>(
    'SELECT count(*)::int AS n FROM playlists.playlist_songs WHERE playlist_id = ?',
    [playlistId],
  );
  return row.n;
}
