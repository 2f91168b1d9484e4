import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@octave/platform/bus';
import { decodeSearchCursor, encodeSearchCursor, likePrefixPattern, pageLimitProblems } from './search-cursor.js';

describe('search cursors', () => {
  it('round-trips a key through an opaque, URL-safe string', () => {
    for (const key of ['alice', 'a.b_c', 'z9']) {
      const cursor = encodeSearchCursor(key);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(cursor).not.toContain(key);
      expect(decodeSearchCursor(cursor)).toBe(key);
    }
  });

  it('refuses cursors it did not make with a 400', () => {
    for (const bad of ['', '%%%', 'YWxpY2U=', encodeSearchCursor('x'.repeat(65)), 'YWxpY2Ux'.slice(0, 5)]) {
      let thrown: unknown;
      try {
        decodeSearchCursor(bad);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
  });
});

describe(likePrefixPattern.name, () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(likePrefixPattern('abc')).toBe('abc%');
    expect(likePrefixPattern('a_b%c\\')).toBe('a\\_b\\%c\\\\%');
  });
});

describe(pageLimitProblems.name, () => {
  it('accepts 1 to 100', () => {
    expect(pageLimitProblems(1)).toEqual([]);
    expect(pageLimitProblems(100)).toEqual([]);
    for (const bad of [0, 101, 1.5, '10', undefined]) expect(pageLimitProblems(bad)).toHaveLength(1);
  });
});
