import { invalidInput } from './errors.js';

/**
 * A position in a list ordered by a time stamp then an id, both descending: the last
 * row's time in microseconds since the epoch (PostgreSQL's precision, which a JS Date
 * would round) and its id. Clients see it as an opaque base64url string.
 */
export interface Keyset {
  /** Microseconds since the epoch, as decimal digits (beyond 2^53 one day). */
  micros: string;
  id: number;
}

const FORMAT = /^(\d{1,18})\.(\d{1,10})$/;

export function encodeCursor(key: Keyset): string {
  return Buffer.from(`${key.micros}.${key.id}`, 'utf8').toString('base64url');
}

/** 400 for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): Keyset {
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = FORMAT.exec(text);
  const key = match ? { micros: match[1], id: Number(match[2]) } : undefined;
  // Re-encoding catches what base64url decoding silently skips.
  if (!key || encodeCursor(key) !== cursor) throw invalidInput(['cursor is not valid']);
  return key;
}

/** SQL for a row's keyset time, `micros` in a select list (as text: bigint must not lose digits). */
export function microsColumn(column: string): string {
  return `((extract(epoch FROM ${column}) * 1000000)::bigint)::text`;
}

/**
 * SQL condition "row comes after the cursor" in `(time DESC, id DESC)` order, with its
 * parameters; an empty condition without a cursor.
 */
export function afterCursor(
  timeColumn: string,
  idColumn: string,
  cursor: string | undefined,
): { sql: string; params: unknown[] } {
  if (cursor === undefined) return { sql: '', params: [] };
  const key = decodeCursor(cursor);
  return {
    sql: ` AND (${timeColumn}, ${idColumn}) < (timestamptz 'epoch' + ?::bigint * interval '1 microsecond', ?)`,
    params: [key.micros, key.id],
  };
}

/** Rows fetched with `limit + 1`: the page, and the cursor of the next one when there is more. */
export function pageOf<R extends { micros: string }>(
  rows: R[],
  limit: number,
  idOf: (row: R) => number,
): { rows: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? encodeCursor({ micros: last.micros, id: idOf(last) }) : null,
  };
}
