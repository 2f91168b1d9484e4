import { jwtConfigShape, loadConfig, storageConfigShape, z } from '@octave/platform/config';
import { serviceConfigShape } from '@octave/platform/service';

/** Port of the service's own health and metrics endpoint, unless HEALTH_PORT says otherwise. */
export const IDENTITY_HEALTH_PORT = 3101;

export const identityConfigShape = {
  ...serviceConfigShape(IDENTITY_HEALTH_PORT),
  ...storageConfigShape,
  ...jwtConfigShape,
  /** Failed logins allowed per account and per client address within the window. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  MAX_AVATAR_BYTES: z.coerce.number().int().min(1).default(5 * 1024 * 1024),
  /** Lifetime of the presigned avatar URLs in responses (S3 allows at most 7 days). */
  MEDIA_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
};

export type IdentityConfig = z.infer<z.ZodObject<typeof identityConfigShape>>;

export function loadIdentityConfig(env: Record<string, string | undefined> = process.env): IdentityConfig {
  return loadConfig(identityConfigShape, env);
}

/** The PostgreSQL schema the service owns. */
export const IDENTITY_SCHEMA = 'identity';
