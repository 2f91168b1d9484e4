import { CatalogErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

/** Throws one 400 listing every problem, as the API does for validation errors. */
export function assertValid(problems: string[]): void {
  if (problems.length > 0) throw DomainError.badRequest(CatalogErrorCode.ValidationFailed, problems);
}

/**
 * Problems with a required text field once trimmed; lengths count characters (code
 * points), not UTF-16 units, as the database's char_length does.
 */
export function textProblems(field: string, value: unknown, max: number): string[] {
  if (typeof value !== 'string') return [`${field} must be a string`];
  const length = [...value.trim()].length;
  return length >= 1 && length <= max ? [] : [`${field} must be 1 to ${max} characters long (after trimming)`];
}

export const MAX_PAGE_LIMIT = 100;

export function pageLimitProblems(limit: unknown): string[] {
  return Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_PAGE_LIMIT
    ? []
    : [`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`];
}
