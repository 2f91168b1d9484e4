import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { PlaylistDto, PlaylistEntryDto } from '@octave/contracts';
import { ObjectStore } from '@octave/platform/storage';
import { SERVICE_CONFIG } from '@octave/platform/service';
import type { PlaylistsConfig } from '../config.js';
import { Owners } from '../owners/owners.js';
import { CatalogSongs } from '../songs/catalog-songs.js';
import type { Playlist } from './playlist.entity.js';

interface EntryRow {
  id: number;
  position: number;
  song_id: number;
}

/** Turns playlists into the API's `Playlist`, in a fixed number of queries and calls. */
@Injectable()
export class PlaylistPresenter {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(SERVICE_CONFIG) private readonly config: PlaylistsConfig,
    private readonly owners: Owners,
    private readonly songs: CatalogSongs,
  ) {}

  async playlist(playlist: Playlist): Promise<PlaylistDto> {
    const [dto] = await this.playlists([playlist]);
    return dto;
  }

  /**
   * Without `songs`, in the order given. Counts and durations come from the entries and
   * the durations kept locally: a page of playlists costs no call to the catalog.
   */
  async playlists(playlists: Playlist[]): Promise<PlaylistDto[]> {
    if (playlists.length === 0) return [];
    const ids = playlists.map((p) => p.id);
    const [stats, usernames] = await Promise.all([
      this.em.execute<{ playlist_id: number; song_count: number; duration_ms: string }[]>(
        `SELECT e.playlist_id, count(*)::int AS song_count, coalesce(sum(s.duration_ms), 0)::bigint AS duration_ms
         FROM playlists.playlist_songs e JOIN playlists.songs s ON s.id = e.song_id
         WHERE e.playlist_id IN (?) GROUP BY e.playlist_id`,
        [ids],
      ),
      this.owners.usernames(playlists.map((p) => p.ownerId)),
    ]);
    const byPlaylist = new Map(stats.map((s) => [s.playlist_id, s]));
    return Promise.all(
      playlists.map(async (playlist) => {
        const stat = byPlaylist.get(playlist.id);
        return this.dto(playlist, usernames.get(playlist.ownerId) ?? '', stat?.song_count ?? 0, Number(stat?.duration_ms ?? 0));
      }),
    );
  }

  /**
   * With `songs`, in playlist order, from one `catalog.song.getMany` for the whole
   * playlist. An entry whose song the catalog no longer has is left out (its
   * `song.deleted` is on its way and will remove it), and the counts are of the
   * entries shown.
   */
  async withSongs(playlist: Playlist): Promise<PlaylistDto> {
    const [entries, usernames] = await Promise.all([
      this.em.execute<EntryRow[]>(
        'SELECT id, position, song_id FROM playlists.playlist_songs WHERE playlist_id = ? ORDER BY position',
        [playlist.id],
      ),
      this.owners.usernames([playlist.ownerId]),
    ]);
    const songs = await this.songs.byIds(entries.map((e) => e.song_id));
    const shown: PlaylistEntryDto[] = entries.flatMap((e) => {
      const song = songs.get(e.song_id);
      return song ? [{ id: e.id, position: e.position, song }] : [];
    });
    const durationMs = shown.reduce((sum, e) => sum + e.song.durationMs, 0);
    const dto = await this.dto(playlist, usernames.get(playlist.ownerId) ?? '', shown.length, durationMs);
    return { ...dto, songs: shown };
  }

  private async dto(playlist: Playlist, username: string, songCount: number, durationMs: number): Promise<PlaylistDto> {
    return {
      id: playlist.id,
      name: playlist.name,
      description: playlist.description ?? null,
      // Presigning is local computation (the region is configured): no request per playlist.
      coverUrl: playlist.coverKey
        ? await this.store.presignedGetUrl(playlist.coverKey, this.config.MEDIA_URL_TTL_SECONDS)
        : null,
      owner: { id: playlist.ownerId, username },
      songCount,
      durationMs,
      createdAt: playlist.createdAt.toISOString(),
      updatedAt: playlist.updatedAt.toISOString(),
    };
  }
}
