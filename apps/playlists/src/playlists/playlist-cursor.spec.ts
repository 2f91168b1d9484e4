import { describe, expect, it } from '@jest/globals';
import { decodePlaylistCursor, encodePlaylistCursor } from './playlist-cursor.js';

describe('playlist cursor', () => {
  it('round-trips an id through an opaque string', () => {
    for (const id of [1, 42, 2_147_483_647]) {
      const cursor = encodePlaylistCursor(id);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(cursor).not.toContain(String(id));
      expect(decodePlaylistCursor(cursor)).toBe(id);
    }
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['a bare number', Buffer.from('42').toString('base64url')],
    ['id 0', Buffer.from('p0').toString('base64url')],
    ['beyond int32', Buffer.from('p2147483648').toString('base64url')],
    ['trailing garbage', `${encodePlaylistCursor(7)}A`],
    ['too long', 'A'.repeat(200)],
  ])('refuses a cursor that is %s with a 400', (_what, cursor) => {
    expect(() => decodePlaylistCursor(cursor)).toThrow(expect.objectContaining({ status: 400, code: 'VALIDATION_FAILED' }));
  });
});
