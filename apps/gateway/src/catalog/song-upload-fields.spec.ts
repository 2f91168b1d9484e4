import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { parseSongUploadFields } from './song-upload-fields.js';

function problems(fields: Record<string, string[]>): string[] {
  try {
    parseSongUploadFields(fields);
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestException);
    return ((err as BadRequestException).getResponse() as { message: string[] }).message;
  }
  throw new Error('expected a 400');
}

describe(parseSongUploadFields.name, () => {
  it('trims the title and artist', () => {
    expect(parseSongUploadFields({ title: ['  Blue  '], artist: [' Miles '] })).toEqual({
      title: 'Blue',
      artist: 'Miles',
      genreIds: [],
    });
  });

  it('takes genre ids comma-separated, repeated, or both, each once', () => {
    expect(parseSongUploadFields({ title: ['t'], artist: ['a'], genreIds: ['3, 1', '2', '3,'] }).genreIds).toEqual([3, 1, 2]);
    expect(parseSongUploadFields({ title: ['t'], artist: ['a'], genreIds: [''] }).genreIds).toEqual([]);
  });

  it('lists every problem at once', () => {
    expect(problems({ artist: ['a', 'b'], genreIds: ['1,x'] })).toEqual([
      'title is required',
      'artist must be given once',
      'genreIds must be genre ids (positive integers), comma-separated or repeated',
    ]);
  });

  it.each([
    ['an empty title', { title: ['   '], artist: ['a'] }],
    ['a title of 201 characters', { title: ['x'.repeat(201)], artist: ['a'] }],
    ['a zero genre id', { title: ['t'], artist: ['a'], genreIds: ['0'] }],
    ['a genre id beyond int32', { title: ['t'], artist: ['a'], genreIds: ['2147483648'] }],
    ['a negative genre id', { title: ['t'], artist: ['a'], genreIds: ['-1'] }],
    ['11 genres', { title: ['t'], artist: ['a'], genreIds: ['1,2,3,4,5,6,7,8,9,10,11'] }],
  ])('refuses %s', (_what, fields) => {
    expect(problems(fields)).toHaveLength(1);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(parseSongUploadFields({ title: ['🎵'.repeat(200)], artist: ['a'] }).title).toHaveLength(400);
  });
});
