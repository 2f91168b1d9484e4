import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@octave/platform/service';
import { StagesModule } from './app.module.js';
import { ChatMessage } from './chat/chat-message.entity.js';
import { STAGES_SCHEMA, type StagesConfig } from './config.js';

/** `apps/stages/migrations`, from `src/` (tests) and from `dist/` (runtime) alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * The stages service: live rooms, their participants, server-authoritative playback and
 * chat. Serves the `stages.*` subjects and publishes each committed change of a stage
 * on core NATS for the gateways' Socket.IO subscribers (see `startService`). Its event
 * handlers (identity's users, catalog's songs, playlists' playlists) are Nest providers
 * (`StageEventsHandler`), since they announce what they change: they register with the
 * runtime's consumer while the service starts, before the consumer does.
 */
export const stagesService: ServiceDefinition<StagesConfig> = {
  name: 'stages',
  schema: STAGES_SCHEMA,
  migrationsDir: MIGRATIONS_DIR,
  entities: [ChatMessage],
  storage: true,
  module: StagesModule,
};
