import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { isId, type GenreDto } from '@octave/contracts';
import { textProblems } from '@octave/platform/bus';
import { assertValid } from '../validation.js';
import { Genre } from './genre.entity.js';
import { genreExists, genreNotFound, isGenreNameConflict } from './genres.errors.js';

export const GENRE_NAME_MAX = 50;

@Injectable()
export class GenresService {
  constructor(@Inject(EntityManager) private readonly em: EntityManager) {}

  /** Sorted by name case-insensitively, as people read a list; ties (none, names are unique so) by id. */
  async list(): Promise<GenreDto[]> {
    const rows = await this.em.execute<{ id: number; name: string }[]>(
      'SELECT id, name FROM catalog.genres ORDER BY lower(name), id',
    );
    return rows.map((r) => ({ id: r.id, name: r.name }));
  }

  async create(name: unknown): Promise<GenreDto> {
    assertValid(textProblems('name', name, GENRE_NAME_MAX));
    const trimmed = (name as string).trim();
    try {
      const genre = this.em.create(Genre, { name: trimmed });
      await this.em.flush();
      return { id: genre.id, name: genre.name };
    } catch (err) {
      if (isGenreNameConflict(err)) throw genreExists(trimmed);
      throw err;
    }
  }

  /**
   * Checks that every id names a genre, failing with the first unknown one (404), and
   * returns them without duplicates, in the order given.
   */
  async requireAll(ids: number[], em: EntityManager = this.em): Promise<number[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const rows = await em.execute<{ id: number }[]>('SELECT id FROM catalog.genres WHERE id IN (?)', [wanted]);
    const known = new Set(rows.map((r) => r.id));
    const missing = wanted.find((id) => !known.has(id));
    if (missing !== undefined) throw genreNotFound(missing);
    return wanted;
  }
}

export function genreIdsProblems(genreIds: unknown, max: number): string[] {
  if (!Array.isArray(genreIds)) return ['genreIds must be an array of genre ids'];
  if (genreIds.length > max) return [`genreIds may list at most ${max} genres`];
  return genreIds.every(isId) ? [] : ['each genre id must be a positive integer'];
}
