import { runServiceMain } from '@octave/platform/service';
import { playlistsService } from './app.js';
import { loadPlaylistsConfig } from './config.js';

// `node dist/main.js` runs the service; `node dist/main.js migrate` only migrates its schema.
await runServiceMain(playlistsService, () => loadPlaylistsConfig());
