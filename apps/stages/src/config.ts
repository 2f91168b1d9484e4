import { loadConfig, storageConfigShape, z } from '@octave/platform/config';
import { serviceConfigShape } from '@octave/platform/service';

/** Port of the service's own health and metrics endpoint, unless HEALTH_PORT says otherwise. */
export const STAGES_HEALTH_PORT = 3105;

export const stagesConfigShape = {
  ...serviceConfigShape(STAGES_HEALTH_PORT),
  ...storageConfigShape,
  /** A join past this many participants is refused (409). */
  MAX_STAGE_PARTICIPANTS: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  /** Chat messages one user may send (over all stages) within `CHAT_RATE_WINDOW_SECONDS`. */
  CHAT_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(5),
  CHAT_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(5),
  /** Largest stage cover; the gateway enforces its own image limit while streaming. */
  MAX_COVER_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  /** Lifetime of the presigned cover URLs in responses (S3 allows at most 7 days). */
  MEDIA_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
  /**
   * Longest wait of the playback scheduler between two looks for songs that ended: a
   * song's end is acted on at most this late (it sleeps less when one ends sooner).
   */
  PLAYBACK_POLL_MS: z.coerce.number().int().min(10).max(10_000).default(250),
};

export type StagesConfig = z.infer<z.ZodObject<typeof stagesConfigShape>>;

export function loadStagesConfig(env: Record<string, string | undefined> = process.env): StagesConfig {
  return loadConfig(stagesConfigShape, env);
}

/** The PostgreSQL schema the service owns. */
export const STAGES_SCHEMA = 'stages';
