import { BadRequestException } from '@nestjs/common';
import { parseId } from '../core/id.pipe.js';

export const TITLE_MAX = 200;
export const ARTIST_MAX = 200;
export const GENRES_PER_SONG_MAX = 10;

/** The text fields of a song upload, checked. */
export interface SongUploadFields {
  title: string;
  artist: string;
  genreIds: number[];
}

/** The multipart text fields that may come with the file of a song upload. */
export const SONG_UPLOAD_FIELDS = ['title', 'artist', 'genreIds'] as const;

/**
 * Checks the text fields of a multipart song upload, listing every problem in one 400
 * as the JSON routes do. `genreIds` may be repeated, comma-separated, or both
 * (`genreIds=1,2&genreIds=3`); an empty value means no genres.
 */
export function parseSongUploadFields(fields: Record<string, string[]>): SongUploadFields {
  const problems: string[] = [];
  const text = (name: 'title' | 'artist', max: number): string => {
    const values = fields[name] ?? [];
    if (values.length !== 1) {
      problems.push(values.length === 0 ? `${name} is required` : `${name} must be given once`);
      return '';
    }
    const value = values[0].trim();
    const length = [...value].length;
    if (length < 1 || length > max) problems.push(`${name} must be 1 to ${max} characters long`);
    return value;
  };
  const title = text('title', TITLE_MAX);
  const artist = text('artist', ARTIST_MAX);

  const pieces = (fields.genreIds ?? [])
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const genreIds = [...new Set(pieces.map(Number))];
  if (!pieces.every((p) => parseId(p) !== undefined)) {
    problems.push('genreIds must be genre ids (positive integers), comma-separated or repeated');
  } else if (genreIds.length > GENRES_PER_SONG_MAX) {
    problems.push(`genreIds may list at most ${GENRES_PER_SONG_MAX} genres`);
  }
  if (problems.length > 0) throw new BadRequestException(problems);
  return { title, artist, genreIds };
}
