import { IdentityErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

/** One message for an unknown login and a wrong password: neither tells which it was. */
export const invalidCredentials = () =>
  DomainError.unauthorized(IdentityErrorCode.InvalidCredentials, 'invalid login or password');

export const wrongPassword = () => DomainError.unauthorized(IdentityErrorCode.InvalidCredentials, 'wrong password');

export const loginThrottled = (retryAfterSeconds: number) =>
  DomainError.tooManyRequests(
    IdentityErrorCode.LoginThrottled,
    `too many failed logins; try again in ${retryAfterSeconds} seconds`,
    retryAfterSeconds,
  );

export const invalidRefreshToken = () =>
  DomainError.unauthorized(IdentityErrorCode.InvalidRefreshToken, 'refresh token is invalid or expired');

export const refreshTokenReused = () =>
  DomainError.unauthorized(
    IdentityErrorCode.RefreshTokenReused,
    'refresh token was already used; the login is revoked, sign in again',
  );
