import { runServiceMain } from '@octave/platform/service';
import { socialService } from './app.js';
import { loadSocialConfig } from './config.js';

// `node dist/main.js` runs the service; `node dist/main.js migrate` only migrates its schema.
await runServiceMain(socialService, () => loadSocialConfig());
