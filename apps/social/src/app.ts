import { fileURLToPath } from 'node:url';
import { Outbox } from '@octave/platform/events';
import type { ServiceDefinition } from '@octave/platform/service';
import { SocialModule } from './app.module.js';
import { Block } from './blocks/block.entity.js';
import { SOCIAL_SCHEMA, type SocialConfig } from './config.js';
import { Follow } from './follows/follow.entity.js';
import { Friendship } from './friendships/friendship.entity.js';
import { KnownUser } from './users/known-user.entity.js';
import { UserEventsHandler } from './users/user-events.js';

/** `apps/social/migrations`, from `src/` (tests) and from `dist/` (runtime) alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * The social service: friend requests and friendships, follows and blocks. Serves the
 * `social.*` subjects, publishes the graph's events and follows identity's user events
 * (see `startService`).
 */
export const socialService: ServiceDefinition<SocialConfig> = {
  name: 'social',
  schema: SOCIAL_SCHEMA,
  migrationsDir: MIGRATIONS_DIR,
  entities: [KnownUser, Friendship, Follow, Block],
  module: SocialModule,
  subscribe: (events, { logger }) => {
    new UserEventsHandler(new Outbox({ service: 'social', schema: SOCIAL_SCHEMA }), logger).subscribe(events);
  },
};
