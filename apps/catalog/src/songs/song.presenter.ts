import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { GenreDto, SongDto } from '@octave/contracts';
import { BatchLoader } from '@octave/platform/cache';

/** The gateway route that streams a song's audio; root-relative, as the API serves it. */
export function streamUrl(songId: number): string {
  return `/api/songs/${songId}/stream`;
}

/**
 * The API's `Song` of each of the songs whose ids fill the `?` (a list), in one query: the
 * song, its uploader's name, its genres (by name) as JSON and its creation time as text,
 * all made by PostgreSQL. The read benchmark's baseline (`bench/baseline-server.js`)
 * runs this same statement.
 */
export const SONGS_BY_IDS_SQL = `SELECT s.id, s.title, s.artist, s.uploader_id, coalesce(u.username, '') AS username,
  s.duration_ms, s.mime_type, s.size_bytes,
  to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
  coalesce((SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY lower(g.name), g.id)
            FROM catalog.song_genres sg JOIN catalog.genres g ON g.id = sg.genre_id
            WHERE sg.song_id = s.id), '[]'::json) AS genres
FROM catalog.songs s LEFT JOIN catalog.uploaders u ON u.user_id = s.uploader_id
WHERE s.id IN (?)`;

/** A row of `SONGS_BY_IDS_SQL`, as the `pg` driver returns it. */
export interface SongRow {
  id: number;
  title: string;
  artist: string;
  uploader_id: number;
  username: string;
  duration_ms: number;
  mime_type: string;
  size_bytes: string | number;
  /** ISO 8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  created_at: string;
  genres: GenreDto[];
}

export function songDto(row: SongRow): SongDto {
  return {
    id: row.id,
    title: row.title,
    artist: row.artist,
    durationMs: row.duration_ms,
    mimeType: row.mime_type,
    sizeBytes: Number(row.size_bytes),
    genres: row.genres,
    uploader: { id: row.uploader_id, username: row.username },
    streamUrl: streamUrl(row.id),
    createdAt: row.created_at,
  };
}

/**
 * Reads songs as the API shows them. Reads go straight to SQL (one statement, no entity
 * hydration): they are the catalog's hot path, and the entities are for writes.
 */
@Injectable()
export class SongPresenter {
  /** `catalog.song.get`, the hottest read: concurrent ones share a statement. */
  private readonly byId = new BatchLoader<number, SongDto>(
    async (ids) => new Map((await this.songs(ids)).map((song) => [song.id, song])),
  );

  constructor(@Inject(EntityManager) private readonly em: EntityManager) {}

  /**
   * The song, or `null` when there is none with this id. Outside a transaction, the
   * songs asked for in the same turn of the event loop are read with one statement.
   */
  async song(id: number, tx?: EntityManager): Promise<SongDto | null> {
    if (tx) {
      const [dto] = await this.songs([id], tx);
      return dto ?? null;
    }
    return (await this.byId.load(id)) ?? null;
  }

  /** In the order given, each once; unknown ids are left out. */
  async songs(ids: readonly number[], em: EntityManager = this.em): Promise<SongDto[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const rows = await em.execute<SongRow[]>(SONGS_BY_IDS_SQL, [wanted]);
    const byId = new Map(rows.map((row) => [row.id, songDto(row)]));
    return wanted.flatMap((id) => byId.get(id) ?? []);
  }
}
