import { createLogger } from '@octave/platform/observability';
import { bootstrap, isExpectedStartupFailure, startupFailure } from './app.js';

// SIGTERM/SIGINT are handled by the Nest application (shutdown hooks): it closes the
// transport, then runs the service's own shutdown (outbox relay, database, NATS).
try {
  await bootstrap();
} catch (err) {
  const logger = createLogger('identity');
  const line = `identity service cannot start: ${startupFailure(err)}`;
  if (isExpectedStartupFailure(err)) logger.fatal(line);
  else logger.fatal({ err }, line);
  process.exit(1);
}
