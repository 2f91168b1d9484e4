import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { ParseIdPipe } from './id.pipe.js';

describe(ParseIdPipe.name, () => {
  const pipe = new ParseIdPipe();
  const meta = { type: 'param' as const, data: 'id' };

  it.each([
    ['1', 1],
    ['42', 42],
    ['2147483647', 2147483647],
  ])('accepts %s', (raw, id) => {
    expect(pipe.transform(raw, meta)).toBe(id);
  });

  it.each(['0', '-1', '01', '1.0', '1e3', ' 1', '0x10', 'abc', '', '2147483648', '99999999999', '9'.repeat(400)])(
    'rejects %j with a 400 naming the parameter',
    (raw) => {
      expect(() => pipe.transform(raw, meta)).toThrow(BadRequestException);
      expect(() => pipe.transform(raw, meta)).toThrow(/^id must be a positive integer/);
    },
  );

  it('rejects a value that is not a string', () => {
    expect(() => pipe.transform(5, meta)).toThrow(BadRequestException);
    expect(() => pipe.transform(undefined, { type: 'param', data: 'songId' })).toThrow(/^songId must/);
  });
});
