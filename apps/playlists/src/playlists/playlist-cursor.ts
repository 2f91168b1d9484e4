import { isId, PlaylistsErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

/**
 * Where a page of a user's playlists ends: the last playlist's id (ids grow with time,
 * so newest first is id descending), base64url-encoded so clients treat it as opaque.
 */
export function encodePlaylistCursor(lastId: number): string {
  return Buffer.from(`p${lastId}`, 'utf8').toString('base64url');
}

export function decodePlaylistCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,16}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^p(\d{1,10})$/.exec(text);
  const id = match ? Number(match[1]) : NaN;
  // Re-encoding catches what base64url decoding silently skips or replaces.
  if (!isId(id) || encodePlaylistCursor(id) !== cursor) {
    throw DomainError.badRequest(PlaylistsErrorCode.ValidationFailed, 'cursor is not valid');
  }
  return id;
}
