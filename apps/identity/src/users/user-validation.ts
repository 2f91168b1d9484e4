import { DomainError } from '@octave/platform/bus';
import { IdentityErrorCode } from '@octave/contracts';

/**
 * Usernames are normalised to lower case before they are validated and stored: the API
 * allows only `[a-z0-9_.]` and wants usernames unique case-insensitively, so "Alice"
 * becomes "alice" and is then both valid and unique in one form. (The database still
 * indexes `lower(username)`, which keeps uniqueness even for rows written otherwise.)
 */
export function normaliseUsername(username: string): string {
  return username.toLowerCase();
}

const USERNAME = /^[a-z0-9_.]{3,32}$/;
// Deliberately loose (one @, a dot in the domain, no spaces): the only real check of an
// address is a mail that arrives.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EMAIL_MAX = 254;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const BIO_MAX = 500;

/** Problems with a username (already normalised), as API messages; empty when valid. */
export function usernameProblems(username: unknown): string[] {
  if (typeof username !== 'string') return ['username must be a string'];
  return USERNAME.test(username) ? [] : ['username must be 3 to 32 characters of a-z, 0-9, "_" and "."'];
}

export function emailProblems(email: unknown): string[] {
  if (typeof email !== 'string') return ['email must be a string'];
  return email.length <= EMAIL_MAX && EMAIL.test(email) ? [] : ['email must be a valid e-mail address'];
}

/** Lengths count characters (code points), not UTF-16 units. */
export function passwordProblems(password: unknown): string[] {
  if (typeof password !== 'string') return ['password must be a string'];
  const length = [...password].length;
  return length >= PASSWORD_MIN && length <= PASSWORD_MAX
    ? []
    : [`password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`];
}

export function bioProblems(bio: unknown): string[] {
  if (bio === null) return [];
  if (typeof bio !== 'string') return ['bio must be a string or null'];
  return [...bio].length <= BIO_MAX ? [] : [`bio must be at most ${BIO_MAX} characters long`];
}

/** Throws one 400 listing every problem, as the API does for validation errors. */
export function assertValid(problems: string[]): void {
  if (problems.length > 0) throw DomainError.badRequest(IdentityErrorCode.ValidationFailed, problems);
}
