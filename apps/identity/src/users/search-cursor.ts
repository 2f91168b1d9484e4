import { DomainError } from '@octave/platform/bus';
import { IdentityErrorCode } from '@octave/contracts';

/**
 * Cursors of the username search: the last row's `lower(username)`, base64url-encoded
 * so clients treat it as opaque.
 */
export function encodeSearchCursor(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

const MAX_KEY_LENGTH = 64;

export function decodeSearchCursor(cursor: string): string {
  const key = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  // Re-encoding catches what base64url decoding silently skips or replaces.
  if (key === '' || key.length > MAX_KEY_LENGTH || encodeSearchCursor(key) !== cursor) {
    throw DomainError.badRequest(IdentityErrorCode.ValidationFailed, 'cursor is not valid');
  }
  return key;
}

/** A LIKE pattern matching values that start with `prefix` literally (`\` is the escape). */
export function likePrefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}

export const MAX_PAGE_LIMIT = 100;

export function pageLimitProblems(limit: unknown): string[] {
  return Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_PAGE_LIMIT
    ? []
    : [`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`];
}
