import type { Actor, HealthReport, Page, PageRequest } from '../common/index.js';
import type { GenreDto, SongDto, SongStreamInfo } from './dto.js';

/** Filters of `catalog.song.search`; all optional and combined with AND. */
export interface SongSearchFilters {
  /** Case-insensitive substring of the title or the artist (1–100 characters). */
  search?: string;
  /** Only songs tagged with this genre. */
  genreId?: number;
  /** Only songs uploaded by this user. */
  uploaderId?: number;
}

/**
 * RPC subjects of the catalog service: subject → request and response.
 * Errors travel as an `ErrorEnvelope` (codes in `CatalogErrorCode`).
 */
export interface CatalogRpc {
  'catalog.health.ping': { req: Record<string, never>; res: HealthReport };
  /** Every genre, sorted by name (case-insensitively). */
  'catalog.genre.list': { req: Record<string, never>; res: GenreDto[] };
  /** The name is trimmed, then must be 1–50 characters. 409 `GENRE_EXISTS` (case-insensitive). */
  'catalog.genre.create': { req: { actor: Actor; name: string }; res: GenreDto };
  /**
   * Adopts the audio the gateway staged at `stagingKey` (`uploads/<actor id>/<uuid>`,
   * tagged as staged): sniffs its type (415 `UNSUPPORTED_MEDIA_TYPE` unless MP3, Ogg
   * Vorbis/Opus, FLAC, WAV, M4A or AAC), reads its duration and creates the song, whose
   * audio stays at that key. The staged object is removed unless the song is created.
   * `title` and `artist` are trimmed, then 1–200 characters; `genreIds` at most 10 (404
   * `GENRE_NOT_FOUND` for an unknown one). 413 `UPLOAD_TOO_LARGE`, 400 `UPLOAD_NOT_FOUND`
   * (upload failures: the platform's `UploadErrorCode`), 401 `ACCOUNT_DELETED`.
   */
  'catalog.song.create': {
    req: { actor: Actor; stagingKey: string; title: string; artist: string; genreIds: number[] };
    res: SongDto;
  };
  /** 404 `SONG_NOT_FOUND`. */
  'catalog.song.get': { req: { id: number }; res: SongDto };
  /** Newest first, keyset-paged. */
  'catalog.song.search': { req: PageRequest & SongSearchFilters; res: Page<SongDto> };
  /**
   * Changes the given fields (same rules as at creation; `genreIds` replaces the set).
   * Uploader only: 403 `SONG_NOT_OWNER`; 404 `SONG_NOT_FOUND` / `GENRE_NOT_FOUND`.
   */
  'catalog.song.update': {
    req: { actor: Actor; id: number; title?: string; artist?: string; genreIds?: number[] };
    res: SongDto;
  };
  /** Deletes the song and its audio, and publishes `song.deleted`. Uploader only (403). */
  'catalog.song.delete': { req: { actor: Actor; id: number }; res: { ok: true } };
  /**
   * Many songs in one call (at most 1000 ids), in the order asked; unknown ids are left
   * out. Each is a whole `SongDto`, so it carries every `SongSummaryDto` field.
   */
  'catalog.song.getMany': { req: { ids: number[] }; res: SongDto[] };
  /** Where the audio of a song is stored, for streaming. 404 `SONG_NOT_FOUND`. */
  'catalog.song.streamInfo': { req: { id: number }; res: SongStreamInfo };
}

export const CatalogErrorCode = {
  /** 400: invalid input; `message` lists every problem. */
  ValidationFailed: 'VALIDATION_FAILED',
  GenreNotFound: 'GENRE_NOT_FOUND',
  GenreExists: 'GENRE_EXISTS',
  SongNotFound: 'SONG_NOT_FOUND',
  /** 403: only the uploader may change or delete a song. */
  NotSongOwner: 'SONG_NOT_OWNER',
  /** 401: the actor's account was deleted (its token is still within its lifetime). */
  AccountDeleted: 'ACCOUNT_DELETED',
} as const;
