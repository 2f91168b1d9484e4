import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { CatalogErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

export const genreNotFound = (id: number) => DomainError.notFound(CatalogErrorCode.GenreNotFound, `genre ${id} not found`);

export const genreExists = (name: string) =>
  DomainError.conflict(CatalogErrorCode.GenreExists, `a genre named "${name}" already exists`);

/** The unique index on lower(name) decides, so two concurrent creations cannot both win. */
export function isGenreNameConflict(err: unknown): boolean {
  return (
    err instanceof UniqueConstraintViolationException &&
    (err as { constraint?: string }).constraint === 'genres_name_lower_key'
  );
}
