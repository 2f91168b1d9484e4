import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@octave/platform/bus';
import { decodeSongCursor, encodeSongCursor } from './song-cursor.js';

describe('song cursors', () => {
  it('round-trips the creation time to the millisecond and the id', () => {
    const cursor = { createdAt: new Date('2025-03-04T05:06:07.891Z'), id: 4242 };
    const encoded = encodeSongCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeSongCursor(encoded)).toEqual(cursor);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['no id', Buffer.from('1700000000000').toString('base64url')],
    ['zero id', Buffer.from('1700000000000.0').toString('base64url')],
    ['id beyond int32', Buffer.from('1700000000000.2147483648').toString('base64url')],
    ['negative time', Buffer.from('-1.5').toString('base64url')],
    ['trailing junk', Buffer.from('1700000000000.5x').toString('base64url')],
    ['not canonical', `${Buffer.from('1700000000000.5').toString('base64url')}A`],
  ])('rejects a cursor that is %s with a 400', (_what, cursor) => {
    let error: unknown;
    try {
      decodeSongCursor(cursor);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });
});
