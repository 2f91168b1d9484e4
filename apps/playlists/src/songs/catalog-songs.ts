import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PlaylistsErrorCode, type SongDto } from '@octave/contracts';
import { DomainError, RpcClient } from '@octave/platform/bus';

export const songNotFound = (id: number) => DomainError.notFound(PlaylistsErrorCode.SongNotFound, `song ${id} not found`);

/**
 * Songs as the catalog shows them, always asked for a whole playlist at once (one
 * `catalog.song.getMany`, never one call per entry), and the local rows entries refer
 * to: each song's duration, and tombstones of deleted songs.
 */
@Injectable()
export class CatalogSongs {
  constructor(@Inject(RpcClient) private readonly rpc: RpcClient) {}

  /** The songs of `ids` the catalog has, by id, in one call (none for no ids). */
  async byIds(ids: number[]): Promise<Map<number, SongDto>> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return new Map();
    const songs = await this.rpc.call('catalog.song.getMany', { ids: wanted });
    return new Map(songs.map((s) => [s.id, s]));
  }

  /** The song, or 404 `SONG_NOT_FOUND`. */
  async require(id: number): Promise<SongDto> {
    const song = (await this.byIds([id])).get(id);
    if (!song) throw songNotFound(id);
    return song;
  }

  /**
   * Inside a write transaction, before the playlist is locked: records the song (with the
   * duration the catalog gave) unless known, and share-locks its row until the commit.
   * The handler of `song.deleted` updates that row first, so either it sees the entry
   * being added and removes it, or this sees the tombstone: 404.
   */
  async lockLive(tx: EntityManager, song: SongDto): Promise<void> {
    await tx.execute(
      'INSERT INTO playlists.songs (id, duration_ms) VALUES (?, ?) ON CONFLICT (id) DO NOTHING',
      [song.id, song.durationMs],
      'run',
    );
    const [row] = await tx.execute<{ deleted: boolean }[]>(
      'SELECT deleted_at IS NOT NULL AS deleted FROM playlists.songs WHERE id = ? FOR SHARE',
      [song.id],
    );
    if (!row || row.deleted) throw songNotFound(song.id);
  }
}
