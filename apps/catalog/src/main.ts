import { runServiceMain } from '@octave/platform/service';
import { catalogService } from './app.js';
import { loadCatalogConfig } from './config.js';

// `node dist/main.js` runs the service; `node dist/main.js migrate` only migrates its schema.
await runServiceMain(catalogService, () => loadCatalogConfig());
