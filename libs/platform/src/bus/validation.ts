import { isId } from '@octave/contracts';
import { DomainError } from './errors.js';

/**
 * Checks of what a service receives over the bus. The gateway validates first; these
 * make a caller that skipped it get a 400 listing every problem rather than a database
 * error. Each check returns its problems (none when the value is fine), so a handler
 * collects them all and throws once.
 *
 * @example
 * const assertValid = problemsAssertion(CatalogErrorCode.ValidationFailed);
 * assertValid([...textProblems('name', req.name, 50), ...pageLimitProblems(req.limit)]);
 */
export function problemsAssertion(code: string): (problems: string[]) => void {
  return (problems) => {
    if (problems.length > 0) throw DomainError.badRequest(code, problems);
  };
}

export const MAX_PAGE_LIMIT = 100;

export function pageLimitProblems(limit: unknown): string[] {
  return Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_PAGE_LIMIT
    ? []
    : [`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`];
}

export function idProblems(field: string, value: unknown): string[] {
  return isId(value) ? [] : [`${field} must be a positive integer`];
}

export function idListProblems(field: string, value: unknown, max: number): string[] {
  if (!Array.isArray(value)) return [`${field} must be an array of ids`];
  if (value.length > max) return [`${field} may list at most ${max} ids`];
  return value.every(isId) ? [] : [`each of ${field} must be a positive integer`];
}

/** Characters as the database's char_length counts them (code points, not UTF-16 units). */
export function charLength(text: string): number {
  return [...text].length;
}

/** Problems with a required text field once trimmed. */
export function textProblems(field: string, value: unknown, max: number): string[] {
  if (typeof value !== 'string') return [`${field} must be a string`];
  const length = charLength(value.trim());
  return length >= 1 && length <= max ? [] : [`${field} must be 1 to ${max} characters long (after trimming)`];
}
