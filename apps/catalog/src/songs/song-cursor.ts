import { CatalogErrorCode, isId } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

/** Where a page of the newest-first listing ends: the last song's creation time and id. */
export interface SongCursor {
  createdAt: Date;
  id: number;
}

/** `<epoch ms>.<id>`, base64url-encoded so clients treat it as opaque. */
export function encodeSongCursor(cursor: SongCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}.${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeSongCursor(cursor: string): SongCursor {
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^(\d{1,15})\.(\d{1,10})$/.exec(text);
  const id = match ? Number(match[2]) : NaN;
  // Re-encoding catches what base64url decoding silently skips or replaces.
  if (!match || !isId(id) || encodeSongCursor({ createdAt: new Date(Number(match[1])), id }) !== cursor) {
    throw DomainError.badRequest(CatalogErrorCode.ValidationFailed, 'cursor is not valid');
  }
  return { createdAt: new Date(Number(match[1])), id };
}
