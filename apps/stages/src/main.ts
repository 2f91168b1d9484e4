import { runServiceMain } from '@octave/platform/service';
import { stagesService } from './app.js';
import { loadStagesConfig } from './config.js';

// `node dist/main.js` runs the service; `node dist/main.js migrate` only migrates its schema.
await runServiceMain(stagesService, () => loadStagesConfig());
