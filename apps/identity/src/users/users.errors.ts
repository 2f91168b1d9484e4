import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { IdentityErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

export const userNotFound = (id: number) => DomainError.notFound(IdentityErrorCode.UserNotFound, `user ${id} not found`);

export const usernameTaken = () => DomainError.conflict(IdentityErrorCode.UsernameTaken, 'username is already taken');

export const emailTaken = () => DomainError.conflict(IdentityErrorCode.EmailTaken, 'email is already registered');

/** Index names from `0001_init.sql`. */
const UNIQUE_INDEX_ERRORS: Record<string, () => DomainError> = {
  users_username_lower_key: usernameTaken,
  users_email_lower_key: emailTaken,
};

/**
 * Turns a unique violation on a username or e-mail into its 409. Checking first and
 * inserting after would still race with another request, so the index decides.
 */
export function asUniqueUserConflict(err: unknown): unknown {
  if (err instanceof UniqueConstraintViolationException) {
    const constraint = (err as { constraint?: string }).constraint;
    const toError = constraint ? UNIQUE_INDEX_ERRORS[constraint] : undefined;
    if (toError) return toError();
  }
  return err;
}
