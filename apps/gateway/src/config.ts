import {
  baseConfigShape,
  envBoolean,
  jwtConfigShape,
  loadConfig,
  storageConfigShape,
  z,
} from '@octave/platform/config';

const MiB = 1024 * 1024;

/**
 * `*` (any origin) or a comma-separated list of origins (`https://app.example.com`).
 * Unset: no CORS headers, so only same-origin browser pages (and every non-browser
 * client) can call the API.
 */
const corsOrigins = z
  .string()
  .transform((v, ctx): '*' | string[] => {
    if (v.trim() === '*') return '*';
    const origins = v.split(',').map((o) => o.trim()).filter(Boolean);
    for (const origin of origins) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      if (!parsed || parsed.origin !== origin) {
        ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin like https://app.example.com` });
        return z.NEVER;
      }
    }
    return origins;
  })
  .optional();

/** Everything the gateway reads from the environment. */
export const gatewayConfigShape = {
  ...baseConfigShape,
  // Only verifies access tokens; identity signs them.
  JWT_SECRET: jwtConfigShape.JWT_SECRET,
  ...storageConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Every interface, as servers in containers need; set 127.0.0.1 to keep a dev
  // machine's gateway off the network.
  HOST: z.string().min(1).default('0.0.0.0'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(MiB),
  MAX_AVATAR_BYTES: z.coerce.number().int().min(1024).default(5 * MiB),
  // Largest playlist or stage cover image; counted while it streams to the store (413 past it).
  MAX_COVER_BYTES: z.coerce.number().int().min(1024).default(5 * MiB),
  // Largest song upload; counted while it streams to the store (413 past it).
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(50 * MiB),
  CORS_ORIGINS: corsOrigins,
  // Behind a reverse proxy, take the client address from X-Forwarded-For.
  TRUST_PROXY: envBoolean.default(false),
  // One info line per request; turn off when a proxy already logs them.
  LOG_REQUESTS: envBoolean.default(true),
  // The built web client served at `/`; apps/web/dist by default.
  WEB_DIST_DIR: z.string().min(1).optional(),
};

export type GatewayConfig = z.infer<z.ZodObject<typeof gatewayConfigShape>>;

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(gatewayConfigShape, env);
}
