import { z } from 'zod';

export { z };

/** Thrown at start when the environment does not describe a runnable process. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const DEV_JWT_SECRET = 'octave-dev-only-secret-do-not-use-in-production';

/** Reads a boolean from the environment: `true`/`1`/`yes` and `false`/`0`/`no`. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Durations like `15m`, `30d`, `900s` or plain seconds, as seconds. */
export const envDuration = z.string().transform((v, ctx) => {
  const m = /^(\d+)\s*([smhd]?)$/.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 15m, 30d or 900s, got "${v}"` });
    return z.NEVER;
  }
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
});

/** Variables every process reads. */
export const baseConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: envBoolean.default(false),
  NATS_URL: z.string().url().default('nats://127.0.0.1:4222'),
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
};

/** Variables of a process that owns a database schema. */
export const databaseConfigShape = {
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/octave'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
};

/** Variables of a process that reads or writes the object store. */
export const storageConfigShape = {
  S3_ENDPOINT: z.string().url().default('http://127.0.0.1:9000'),
  S3_PUBLIC_ENDPOINT: z.string().url().optional(),
  S3_ACCESS_KEY: z.string().min(1).default('S3RVER'),
  S3_SECRET_KEY: z.string().min(1).default('S3RVER'),
  S3_BUCKET: z.string().min(3).default('octave'),
  S3_REGION: z.string().min(1).default('us-east-1'),
};

/** Variables of a process that signs or verifies access tokens. */
export const jwtConfigShape = {
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_JWT_SECRET),
  JWT_ACCESS_TTL: envDuration.default(15 * 60),
  JWT_REFRESH_TTL: envDuration.default(30 * 86400),
};

/**
 * Validates the environment once, at start. Throws a `ConfigError` naming every bad
 * variable, so a misconfigured process never half-starts.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  // Empty strings mean "not set", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = z.object(shape).safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config = result.data as z.infer<z.ZodObject<S>> & { NODE_ENV?: string; JWT_SECRET?: string };
  if (config.NODE_ENV === 'production' && config.JWT_SECRET === DEV_JWT_SECRET) {
    throw new ConfigError(['JWT_SECRET: must be set in production (the development default is public)']);
  }
  return config;
}
