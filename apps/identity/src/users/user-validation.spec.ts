import { describe, expect, it } from '@jest/globals';
import {
  assertValid,
  bioProblems,
  emailProblems,
  normaliseUsername,
  passwordProblems,
  usernameProblems,
} from './user-validation.js';

describe('username validation', () => {
  it('accepts 3 to 32 of a-z, 0-9, _ and . after lower-casing', () => {
    for (const ok of ['abc', 'a.b_c9', 'x'.repeat(32), normaliseUsername('Alice.B')]) {
      expect(usernameProblems(ok)).toEqual([]);
    }
  });

  it('refuses other lengths and characters', () => {
    for (const bad of ['ab', 'x'.repeat(33), 'with space', 'dash-ed', 'at@sign', 'émile', 'Upper', '', 42]) {
      expect(usernameProblems(bad)).toHaveLength(1);
    }
  });

  it('normalises to lower case', () => {
    expect(normaliseUsername('MiXeD_Case')).toBe('mixed_case');
  });
});

describe('email validation', () => {
  it('accepts ordinary addresses and refuses the rest', () => {
    expect(emailProblems('Someone.Else+tag@Example.org')).toEqual([]);
    for (const bad of ['plain', 'a@b', 'a b@c.de', '@c.de', `${'x'.repeat(250)}@c.de`, null]) {
      expect(emailProblems(bad)).toHaveLength(1);
    }
  });
});

describe('password validation', () => {
  it('counts characters, not UTF-16 units', () => {
    expect(passwordProblems('12345678')).toEqual([]);
    expect(passwordProblems('1234567')).toHaveLength(1);
    expect(passwordProblems('x'.repeat(128))).toEqual([]);
    expect(passwordProblems('x'.repeat(129))).toHaveLength(1);
    // 8 emoji are 16 UTF-16 units but 8 characters; 65 of them are 130 units but 65 characters.
    expect(passwordProblems('🎵'.repeat(8))).toEqual([]);
    expect(passwordProblems('🎵'.repeat(7))).toHaveLength(1);
    expect(passwordProblems('🎵'.repeat(128))).toEqual([]);
  });
});

describe('bio validation', () => {
  it('allows null and up to 500 characters', () => {
    expect(bioProblems(null)).toEqual([]);
    expect(bioProblems('é'.repeat(500))).toEqual([]);
    expect(bioProblems('é'.repeat(501))).toHaveLength(1);
    expect(bioProblems(5)).toHaveLength(1);
  });
});

describe(assertValid.name, () => {
  it('throws one 400 listing every problem', () => {
    expect(() => assertValid([])).not.toThrow();
    expect(() => assertValid(['a', 'b'])).toThrow(expect.objectContaining({ status: 400, details: ['a', 'b'] }));
  });
});
