import { loadConfig, z } from '@octave/platform/config';
import { serviceConfigShape } from '@octave/platform/service';

/** Port of the service's own health and metrics endpoint, unless HEALTH_PORT says otherwise. */
export const SOCIAL_HEALTH_PORT = 3102;

export const socialConfigShape = {
  ...serviceConfigShape(SOCIAL_HEALTH_PORT),
};

export type SocialConfig = z.infer<z.ZodObject<typeof socialConfigShape>>;

export function loadSocialConfig(env: Record<string, string | undefined> = process.env): SocialConfig {
  return loadConfig(socialConfigShape, env);
}

/** The PostgreSQL schema the service owns. */
export const SOCIAL_SCHEMA = 'social';
