import { runServiceMain } from '@octave/platform/service';
import { identityService } from './app.js';
import { loadIdentityConfig } from './config.js';

// `node dist/main.js` runs the service; `node dist/main.js migrate` only migrates its schema.
await runServiceMain(identityService, () => loadIdentityConfig());
