import type { Actor, HealthReport, Page, PageRequest } from '../common/index.js';
import type { MeDto, SessionDto, TokenPairDto, UserDto } from './dto.js';

/** Where the request came from, for throttling and audit. */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

/**
 * RPC subjects of the identity service: subject → request and response.
 * Errors travel as an `ErrorEnvelope` (codes in `IdentityErrorCode`).
 */
export interface IdentityRpc {
  'identity.health.ping': { req: Record<string, never>; res: HealthReport };
  /** Creates an account and a first login. 409 `USERNAME_TAKEN` / `EMAIL_TAKEN`. */
  'identity.auth.register': {
    req: { username: string; email: string; password: string; client: ClientInfo };
    res: SessionDto;
  };
  /** `login` is a username or an e-mail. 401 `INVALID_CREDENTIALS`, 429 `LOGIN_THROTTLED`. */
  'identity.auth.login': {
    req: { login: string; password: string; client: ClientInfo };
    res: SessionDto;
  };
  /** Rotates a refresh token. A spent token revokes its whole login: 401 `REFRESH_TOKEN_REUSED`. */
  'identity.auth.refresh': { req: { refreshToken: string }; res: TokenPairDto };
  /** Revokes the login the refresh token belongs to. Unknown tokens are ignored. */
  'identity.auth.logout': { req: { refreshToken: string }; res: { ok: true } };
  'identity.me.get': { req: { actor: Actor }; res: MeDto };
  'identity.me.update': {
    req: { actor: Actor; username?: string; email?: string; bio?: string | null };
    res: MeDto;
  };
  /**
   * Adopts a staged upload (at `stagingKey`, which must be `uploads/<actor id>/<uuid>`,
   * tagged as staged) in place as avatar after sniffing it: 415 `UNSUPPORTED_MEDIA_TYPE`
   * unless PNG, JPEG or WebP, 413 `UPLOAD_TOO_LARGE`, 400 `UPLOAD_NOT_FOUND` (the
   * platform's `UploadErrorCode`). The staged object is removed unless it becomes the
   * avatar.
   */
  'identity.me.avatar.set': { req: { actor: Actor; stagingKey: string }; res: MeDto };
  'identity.me.avatar.remove': { req: { actor: Actor }; res: MeDto };
  /** Deletes the account after checking the password: 401 `INVALID_CREDENTIALS`. */
  'identity.me.delete': { req: { actor: Actor; password: string }; res: { ok: true } };
  /** 404 `USER_NOT_FOUND`. */
  'identity.user.get': { req: { id: number }; res: UserDto };
  /** Profiles of many users in one call, in the order asked; unknown ids are left out. */
  'identity.user.getMany': { req: { ids: number[] }; res: UserDto[] };
  /** Username prefix search, ordered by username. */
  'identity.user.search': { req: PageRequest & { search?: string }; res: Page<UserDto> };
}

export const IdentityErrorCode = {
  UsernameTaken: 'USERNAME_TAKEN',
  EmailTaken: 'EMAIL_TAKEN',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  LoginThrottled: 'LOGIN_THROTTLED',
  InvalidRefreshToken: 'INVALID_REFRESH_TOKEN',
  RefreshTokenReused: 'REFRESH_TOKEN_REUSED',
  UserNotFound: 'USER_NOT_FOUND',
  /** 400: invalid input; `message` lists every problem. */
  ValidationFailed: 'VALIDATION_FAILED',
} as const;
