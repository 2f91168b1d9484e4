import { INT32_MAX, isId, type Actor, type PageRequest } from '@octave/contracts';
import { invalidInput } from './errors.js';

export const MAX_PAGE_LIMIT = 100;

/**
 * Checks what the gateway already validated, so a caller on the bus that skipped it gets
 * a 400 rather than a database error. Throws one 400 listing every problem.
 */
export function assertValid(checks: { actor?: Actor; ids?: Record<string, unknown>; page?: PageRequest }): void {
  const problems: string[] = [];
  if (checks.actor !== undefined && !isId(checks.actor?.id)) problems.push('actor.id must be a positive integer');
  for (const [name, value] of Object.entries(checks.ids ?? {})) {
    if (!isId(value)) problems.push(`${name} must be a positive integer no larger than ${INT32_MAX}`);
  }
  if (checks.page) {
    const { limit, cursor } = checks.page;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      problems.push(`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
    }
    if (cursor !== undefined && typeof cursor !== 'string') problems.push('cursor must be a string');
  }
  if (problems.length > 0) throw invalidInput(problems);
}
