import { isId, PlaylistsErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

/** Throws one 400 listing every problem, as the API does for validation errors. */
export function assertValid(problems: string[]): void {
  if (problems.length > 0) throw DomainError.badRequest(PlaylistsErrorCode.ValidationFailed, problems);
}

export function idProblems(field: string, value: unknown): string[] {
  return isId(value) ? [] : [`${field} must be a positive integer`];
}

/** Length in characters (code points), as the database's char_length counts. */
export function charLength(value: string): number {
  return [...value].length;
}

export const MAX_PAGE_LIMIT = 100;

export function pageLimitProblems(limit: unknown): string[] {
  return Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_PAGE_LIMIT
    ? []
    : [`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`];
}
