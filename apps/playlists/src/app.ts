import { fileURLToPath } from 'node:url';
import { Outbox } from '@octave/platform/events';
import type { ServiceDefinition } from '@octave/platform/service';
import { PlaylistsModule } from './app.module.js';
import { PLAYLISTS_SCHEMA, type PlaylistsConfig } from './config.js';
import { IdentityEventsHandler } from './owners/identity-events.js';
import { Playlist } from './playlists/playlist.entity.js';
import { CatalogEventsHandler } from './songs/catalog-events.js';

/** `apps/playlists/migrations`, from `src/` (tests) and from `dist/` (runtime) alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * The playlists service: playlists, their ordered entries and covers. Serves the
 * `playlists.*` subjects, publishes `playlist.deleted`, and follows identity's user
 * events and the catalog's song deletions (see `startService`).
 */
export const playlistsService: ServiceDefinition<PlaylistsConfig> = {
  name: 'playlists',
  schema: PLAYLISTS_SCHEMA,
  migrationsDir: MIGRATIONS_DIR,
  entities: [Playlist],
  storage: true,
  module: PlaylistsModule,
  subscribe: (events, { store, logger }) => {
    const outbox = new Outbox({ service: 'playlists', schema: PLAYLISTS_SCHEMA });
    new IdentityEventsHandler(outbox, store!, logger).subscribe(events);
    new CatalogEventsHandler(logger).subscribe(events);
  },
};
