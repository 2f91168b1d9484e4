import { createLogger } from '@octave/platform/observability';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './gateway.js';

const config = loadGatewayConfig();
const logger = createLogger('gateway', { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
try {
  const app = await createGateway(config, { logger });
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ url: await app.getUrl() }, 'gateway listening');
} catch (err) {
  logger.fatal({ err }, `gateway failed to start: ${(err as Error).message}`);
  process.exitCode = 1;
}
