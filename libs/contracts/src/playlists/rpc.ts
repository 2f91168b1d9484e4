import type { Actor, HealthReport, Page, PageRequest } from '../common/index.js';
import type { PlaylistDto, PlaylistEntryDto } from './dto.js';

/** A playlist as other services need it: enough to list it on a stage. */
export interface PlaylistSummaryDto {
  id: number;
  name: string;
  ownerId: number;
}

/**
 * RPC subjects of the playlists service: subject → request and response.
 * Errors travel as an `ErrorEnvelope` (codes in `PlaylistsErrorCode`). Requests with an
 * `actor` are authorised by the playlists service: only the owner changes a playlist
 * (403 `PLAYLIST_NOT_OWNER`); an unknown playlist is 404 `PLAYLIST_NOT_FOUND`.
 */
export interface PlaylistsRpc {
  'playlists.health.ping': { req: Record<string, never>; res: HealthReport };
  /**
   * A new, empty playlist owned by the actor. `name` is trimmed, then 1–100 characters;
   * `description` at most 1000. 401 `ACCOUNT_DELETED`.
   */
  'playlists.playlist.create': {
    req: { actor: Actor; name: string; description?: string | null };
    res: PlaylistDto;
  };
  /** With `songs`, in playlist order. */
  'playlists.playlist.get': { req: { id: number }; res: PlaylistDto };
  /**
   * The playlists of `ownerId`, newest first, without `songs`. 404 `USER_NOT_FOUND` for
   * a user identity does not know.
   */
  'playlists.playlist.listByOwner': { req: PageRequest & { ownerId: number }; res: Page<PlaylistDto> };
  /** Changes the given fields (same rules as at creation; `description: null` clears it). Owner only. */
  'playlists.playlist.update': {
    req: { actor: Actor; id: number; name?: string; description?: string | null };
    res: PlaylistDto;
  };
  /** Deletes the playlist and its cover, and publishes `playlist.deleted`. Owner only. */
  'playlists.playlist.delete': { req: { actor: Actor; id: number }; res: { ok: true } };
  /**
   * Adopts the image the gateway staged at `stagingKey` in place as the cover, after
   * sniffing it: 415 `UNSUPPORTED_MEDIA_TYPE` unless PNG, JPEG or WebP, 413
   * `UPLOAD_TOO_LARGE`, 400 `UPLOAD_NOT_FOUND` (the platform's `UploadErrorCode`). The
   * staged object is removed unless it becomes the cover. Owner only.
   */
  'playlists.playlist.cover.set': { req: { actor: Actor; id: number; stagingKey: string }; res: PlaylistDto };
  /**
   * Adds a song at `position` (0..n, default n: the end); the entries from there on move
   * down one. 404 `SONG_NOT_FOUND` (asked of the catalog), 400 `INVALID_POSITION`, 409
   * `PLAYLIST_FULL`. Owner only.
   */
  'playlists.entry.add': {
    req: { actor: Actor; playlistId: number; songId: number; position?: number };
    res: PlaylistEntryDto;
  };
  /**
   * Moves an entry to `position` (0..n-1); the entries between shift by one. Answers the
   * playlist with `songs`. 404 `PLAYLIST_ENTRY_NOT_FOUND`, 400 `INVALID_POSITION`. Owner only.
   */
  'playlists.entry.move': {
    req: { actor: Actor; playlistId: number; entryId: number; position: number };
    res: PlaylistDto;
  };
  /** Removes an entry; the entries after it move up one. 404 `PLAYLIST_ENTRY_NOT_FOUND`. Owner only. */
  'playlists.entry.remove': { req: { actor: Actor; playlistId: number; entryId: number }; res: { ok: true } };
  /** Summaries of many playlists in one call, in the order asked; unknown ids are left out. */
  'playlists.playlist.getMany': { req: { ids: number[] }; res: PlaylistSummaryDto[] };
  /** The song ids of a playlist in playlist order (a song may appear twice). 404 `PLAYLIST_NOT_FOUND`. */
  'playlists.playlist.songIds': { req: { id: number }; res: { id: number; songIds: number[] } };
}

export const PlaylistsErrorCode = {
  /** 400: invalid input; `message` lists every problem. */
  ValidationFailed: 'VALIDATION_FAILED',
  PlaylistNotFound: 'PLAYLIST_NOT_FOUND',
  /** 403: only the owner may change a playlist. */
  NotPlaylistOwner: 'PLAYLIST_NOT_OWNER',
  /** 404: the catalog has no such song. */
  SongNotFound: 'SONG_NOT_FOUND',
  /** 404: no such entry in this playlist. */
  EntryNotFound: 'PLAYLIST_ENTRY_NOT_FOUND',
  /** 400: a position outside 0..n (adding) or 0..n-1 (moving). */
  InvalidPosition: 'INVALID_POSITION',
  /** 409: the playlist holds `MAX_PLAYLIST_SONGS` entries already. */
  PlaylistFull: 'PLAYLIST_FULL',
  /** 404: listing the playlists of a user identity does not know. */
  UserNotFound: 'USER_NOT_FOUND',
  /** 401: the actor's account was deleted (its token is still within its lifetime). */
  AccountDeleted: 'ACCOUNT_DELETED',
} as const;
