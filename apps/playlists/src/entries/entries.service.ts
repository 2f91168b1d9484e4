import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { INT32_MAX, type PlaylistDto, type PlaylistEntryDto, type RpcRequest } from '@octave/contracts';
import { SERVICE_CONFIG } from '@octave/platform/service';
import type { PlaylistsConfig } from '../config.js';
import type { Playlist } from '../playlists/playlist.entity.js';
import { PlaylistPresenter } from '../playlists/playlist.presenter.js';
import { PlaylistsService } from '../playlists/playlists.service.js';
import { CatalogSongs } from '../songs/catalog-songs.js';
import { idProblems } from '@octave/platform/bus';
import { assertValid } from '../validation.js';
import { entryNotFound, invalidPosition, playlistFull } from './entries.errors.js';
import { entryCount } from './positions.js';

function positionProblems(position: unknown): string[] {
  return Number.isInteger(position) && (position as number) >= 0 && (position as number) <= INT32_MAX
    ? []
    : ['position must be an integer of at least 0'];
}

/**
 * The ordered entries of a playlist. Every change locks the playlist's row first (see
 * `PlaylistsService.findOwned`), so concurrent changes of one playlist are serialised
 * and its positions stay 0..n-1 without gaps or duplicates.
 */
@Injectable()
export class EntriesService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(SERVICE_CONFIG) private readonly config: PlaylistsConfig,
    private readonly playlists: PlaylistsService,
    private readonly songs: CatalogSongs,
    private readonly presenter: PlaylistPresenter,
  ) {}

  /** Inserts at `position` (default: the end); the entries from there on move down one. */
  async add(req: RpcRequest<'playlists.entry.add'>): Promise<PlaylistEntryDto> {
    assertValid([
      ...idProblems('playlistId', req.playlistId),
      ...idProblems('songId', req.songId),
      ...(req.position !== undefined ? positionProblems(req.position) : []),
    ]);
    // Checked before asking the catalog, and again under the lock below.
    await this.playlists.requireOwned(req.playlistId, req.actor);
    const song = await this.songs.require(req.songId);
    const entry = await this.em.transactional(async (tx) => {
      // The song before the playlist, in the same order as the `song.deleted` handler.
      await this.songs.lockLive(tx, song);
      const playlist = await this.playlists.findOwned(tx, req.playlistId, req.actor);
      const count = await entryCount(tx, playlist.id);
      const position = req.position ?? count;
      if (position > count) throw invalidPosition(position, count);
      if (count >= this.config.MAX_PLAYLIST_SONGS) throw playlistFull(playlist.id, this.config.MAX_PLAYLIST_SONGS);
      await tx.execute(
        'UPDATE playlists.playlist_songs SET position = position + 1 WHERE playlist_id = ? AND position >= ?',
        [playlist.id, position],
        'run',
      );
      const [row] = await tx.execute<{ id: number }[]>(
        'INSERT INTO playlists.playlist_songs (playlist_id, song_id, position) VALUES (?, ?, ?) RETURNING id',
        [playlist.id, song.id, position],
      );
      await this.touch(tx, playlist);
      return { id: row.id, position };
    });
    return { ...entry, song };
  }

  /** Moves an entry to `position` (0..n-1); the entries in between shift by one. */
  async move(req: RpcRequest<'playlists.entry.move'>): Promise<PlaylistDto> {
    assertValid([
      ...idProblems('playlistId', req.playlistId),
      ...idProblems('entryId', req.entryId),
      ...positionProblems(req.position),
    ]);
    const playlist = await this.em.transactional(async (tx) => {
      const playlist = await this.playlists.findOwned(tx, req.playlistId, req.actor);
      const from = await this.positionOf(tx, playlist.id, req.entryId);
      const count = await entryCount(tx, playlist.id);
      const to = req.position;
      if (to > count - 1) throw invalidPosition(to, count - 1);
      if (to === from) return playlist;
      if (to < from) {
        await tx.execute(
          `UPDATE playlists.playlist_songs SET position = position + 1
           WHERE playlist_id = ? AND position >= ? AND position < ?`,
          [playlist.id, to, from],
          'run',
        );
      } else {
        await tx.execute(
          `UPDATE playlists.playlist_songs SET position = position - 1
           WHERE playlist_id = ? AND position > ? AND position <= ?`,
          [playlist.id, from, to],
          'run',
        );
      }
      await tx.execute('UPDATE playlists.playlist_songs SET position = ? WHERE id = ?', [to, req.entryId], 'run');
      await this.touch(tx, playlist);
      return playlist;
    });
    return this.presenter.withSongs(playlist);
  }

  /** Removes an entry; the entries after it move up one. */
  async remove(req: RpcRequest<'playlists.entry.remove'>): Promise<{ ok: true }> {
    assertValid([...idProblems('playlistId', req.playlistId), ...idProblems('entryId', req.entryId)]);
    await this.em.transactional(async (tx) => {
      const playlist = await this.playlists.findOwned(tx, req.playlistId, req.actor);
      const [removed] = await tx.execute<{ position: number }[]>(
        'DELETE FROM playlists.playlist_songs WHERE id = ? AND playlist_id = ? RETURNING position',
        [req.entryId, playlist.id],
      );
      if (!removed) throw entryNotFound(playlist.id, req.entryId);
      await tx.execute(
        'UPDATE playlists.playlist_songs SET position = position - 1 WHERE playlist_id = ? AND position > ?',
        [playlist.id, removed.position],
        'run',
      );
      await this.touch(tx, playlist);
    });
    return { ok: true };
  }

  private async positionOf(tx: EntityManager, playlistId: number, entryId: number): Promise<number> {
    const [row] = await tx.execute<{ position: number }[]>(
      'SELECT position FROM playlists.playlist_songs WHERE id = ? AND playlist_id = ?',
      [entryId, playlistId],
    );
    if (!row) throw entryNotFound(playlistId, entryId);
    return row.position;
  }

  /** The entries are part of the playlist: changing them changes it. */
  private async touch(tx: EntityManager, playlist: Playlist): Promise<void> {
    playlist.updatedAt = new Date();
    await tx.flush();
  }
}
