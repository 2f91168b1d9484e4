import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { GenreDto, SongDto } from '@octave/contracts';
import type { Song } from './song.entity.js';

/** The gateway route that streams a song's audio; root-relative, as the API serves it. */
export function streamUrl(songId: number): string {
  return `/api/songs/${songId}/stream`;
}

/** Turns songs into the API's `Song`, with their genres and uploader, in a fixed number of queries. */
@Injectable()
export class SongPresenter {
  constructor(@Inject(EntityManager) private readonly em: EntityManager) {}

  async song(song: Song): Promise<SongDto> {
    const [dto] = await this.songs([song]);
    return dto;
  }

  /** In the order given. */
  async songs(songs: Song[]): Promise<SongDto[]> {
    if (songs.length === 0) return [];
    const songIds = songs.map((s) => s.id);
    const uploaderIds = [...new Set(songs.map((s) => s.uploaderId))];
    const [genreRows, uploaderRows] = await Promise.all([
      this.em.execute<{ song_id: number; id: number; name: string }[]>(
        `SELECT sg.song_id, g.id, g.name FROM catalog.song_genres sg JOIN catalog.genres g ON g.id = sg.genre_id
         WHERE sg.song_id IN (?) ORDER BY lower(g.name), g.id`,
        [songIds],
      ),
      this.em.execute<{ user_id: number; username: string }[]>(
        'SELECT user_id, username FROM catalog.uploaders WHERE user_id IN (?)',
        [uploaderIds],
      ),
    ]);
    const genres = new Map<number, GenreDto[]>();
    for (const row of genreRows) {
      const list = genres.get(row.song_id) ?? [];
      list.push({ id: row.id, name: row.name });
      genres.set(row.song_id, list);
    }
    const usernames = new Map(uploaderRows.map((r) => [r.user_id, r.username]));
    return songs.map((song) => ({
      id: song.id,
      title: song.title,
      artist: song.artist,
      durationMs: song.durationMs,
      mimeType: song.mimeType,
      sizeBytes: song.sizeBytes,
      genres: genres.get(song.id) ?? [],
      uploader: { id: song.uploaderId, username: usernames.get(song.uploaderId) ?? '' },
      streamUrl: streamUrl(song.id),
      createdAt: song.createdAt.toISOString(),
    }));
  }
}
