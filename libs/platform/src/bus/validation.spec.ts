import { describe, expect, it } from '@jest/globals';
import { DomainError } from './errors.js';
import { charLength, idListProblems, idProblems, pageLimitProblems, problemsAssertion, textProblems } from './validation.js';

describe('bus validation', () => {
  it('throws one 400 with the code and every problem, and nothing when there is none', () => {
    const assertValid = problemsAssertion('THING_INVALID');
    expect(() => assertValid([])).not.toThrow();
    let thrown: unknown;
    try {
      assertValid(['a is wrong', 'b is wrong']);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'THING_INVALID', status: 400, details: ['a is wrong', 'b is wrong'] });
  });

  it('takes ids from 1 to INT32_MAX, one by one and in lists', () => {
    expect([1, 2_147_483_647].flatMap((v) => idProblems('id', v))).toEqual([]);
    for (const bad of [0, -1, 1.5, 2_147_483_648, '1', null, undefined]) {
      expect(idProblems('id', bad)).toEqual(['id must be a positive integer']);
    }
    expect(idListProblems('ids', [1, 2], 2)).toEqual([]);
    expect(idListProblems('ids', [1, 2, 3], 2)).toEqual(['ids may list at most 2 ids']);
    expect(idListProblems('ids', [1, 0], 2)).toEqual(['each of ids must be a positive integer']);
    expect(idListProblems('ids', '1,2', 2)).toEqual(['ids must be an array of ids']);
  });

  it('counts text in characters, after trimming', () => {
    expect(charLength('🎵é')).toBe(2);
    expect(textProblems('name', ' 🎵🎵 ', 2)).toEqual([]);
    expect(textProblems('name', '   ', 2)).toEqual(['name must be 1 to 2 characters long (after trimming)']);
    expect(textProblems('name', 'abc', 2)).toEqual(['name must be 1 to 2 characters long (after trimming)']);
    expect(textProblems('name', 7, 2)).toEqual(['name must be a string']);
  });

  it('takes a page limit from 1 to 100', () => {
    expect([1, 100].flatMap(pageLimitProblems)).toEqual([]);
    expect([0, 101, 1.5, '10'].flatMap(pageLimitProblems)).toHaveLength(4);
  });
});
