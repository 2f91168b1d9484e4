import { fileURLToPath } from 'node:url';
import type { RunningService, ServiceDefinition } from '@octave/platform/service';
import { IdentityModule } from './app.module.js';
import { RefreshToken } from './auth/refresh-token.entity.js';
import { IDENTITY_SCHEMA, type IdentityConfig } from './config.js';
import { subscribeSocialCounters } from './counters/social-counters.js';
import { User } from './users/user.entity.js';

/** `apps/identity/migrations`, from `src/` (tests) and from `dist/` (runtime) alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * The identity service: accounts, credentials, refresh tokens and avatars. Serves the
 * `identity.*` subjects, publishes the user events and keeps the social counters from
 * the social service's events (see `startService`).
 */
export const identityService: ServiceDefinition<IdentityConfig> = {
  name: 'identity',
  schema: IDENTITY_SCHEMA,
  migrationsDir: MIGRATIONS_DIR,
  entities: [User, RefreshToken],
  storage: true,
  module: IdentityModule,
  subscribe: (events) => subscribeSocialCounters(events),
};

export type IdentityApp = RunningService<IdentityConfig>;
