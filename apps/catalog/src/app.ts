import { fileURLToPath } from 'node:url';
import { Outbox } from '@octave/platform/events';
import type { ServiceDefinition } from '@octave/platform/service';
import { CatalogModule } from './app.module.js';
import { CATALOG_SCHEMA, type CatalogConfig } from './config.js';
import { Genre } from './genres/genre.entity.js';
import { Song } from './songs/song.entity.js';
import { IdentityEventsHandler } from './uploaders/identity-events.js';

/** `apps/catalog/migrations`, from `src/` (tests) and from `dist/` (runtime) alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * The catalog service: genres, songs and their audio. Serves the `catalog.*` subjects,
 * publishes `song.*` events and follows identity's user events (see `startService`).
 */
export const catalogService: ServiceDefinition<CatalogConfig> = {
  name: 'catalog',
  schema: CATALOG_SCHEMA,
  migrationsDir: MIGRATIONS_DIR,
  entities: [Genre, Song],
  storage: true,
  module: CatalogModule,
  subscribe: (events, { store, logger }) => {
    const outbox = new Outbox({ service: 'catalog', schema: CATALOG_SCHEMA });
    new IdentityEventsHandler(outbox, store!, logger).subscribe(events);
  },
};
