import { describe, expect, it } from '@jest/globals';
import { decodeMessageCursor, decodeStageCursor, encodeStageCursor } from './stage-cursor.js';

describe('stage list cursor', () => {
  it('gives back what was encoded', () => {
    expect(decodeStageCursor(encodeStageCursor({ participantCount: 0, id: 7 }))).toEqual({ participantCount: 0, id: 7 });
    expect(decodeStageCursor(encodeStageCursor({ participantCount: 4999, id: 2_147_483_647 }))).toEqual({
      participantCount: 4999,
      id: 2_147_483_647,
    });
  });

  it.each(['', 'junk', Buffer.from('[1]').toString('base64url'), Buffer.from('[-1,2]').toString('base64url'), Buffer.from('[1,0]').toString('base64url'), Buffer.from('{"id":1}').toString('base64url')])(
    'refuses %j with a 400',
    (text) => {
      expect(() => decodeStageCursor(text)).toThrow(expect.objectContaining({ status: 400 }));
    },
  );
});

describe(decodeMessageCursor.name, () => {
  it('reads a message id', () => {
    expect(decodeMessageCursor('981')).toBe(981);
  });

  it.each(['0', '-3', '1.5', 'abc', '99999999999', ''])('refuses %j with a 400', (text) => {
    expect(() => decodeMessageCursor(text)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
