import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '@octave/platform/bus';
import { createLogger, type Logger, NestPinoLogger, startTracing, type Tracing } from '@octave/platform/observability';
import { GatewayModule } from './app.module.js';
import type { GatewayConfig } from './config.js';
import { HttpErrorFilter } from './core/http-error.filter.js';
import { installRequestContext, requestIdFor } from './core/request-context.js';
import { createValidationPipe } from './core/validation.js';
import { setupOpenApi } from './docs/docs.js';
import { RealtimeIoAdapter } from './realtime/io-adapter.js';
import { registerWebApp } from './web/web-app.js';

export interface CreateGatewayOptions {
  /** Defaults to the `gateway` logger built from the config. */
  logger?: Logger;
}

/**
 * Builds the gateway: starts tracing (once per process), connects to NATS (failing fast
 * when it is not there), wires HTTP, OpenAPI and Socket.IO, and initialises the app. The caller decides where it listens,
 * so tests boot it in-process on a free port.
 */
export async function createGateway(config: GatewayConfig, opts: CreateGatewayOptions = {}): Promise<NestFastifyApplication> {
  const logger = opts.logger ?? createLogger('gateway', { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const tracing = startTracing('gateway');
  const nc = await connectNats(config.NATS_URL, 'gateway', logger);
  try {
    return await buildApp(config, logger, nc, tracing);
  } catch (err) {
    await nc.close();
    throw err;
  }
}

async function buildApp(config: GatewayConfig, logger: Logger, nc: NatsConnection, tracing: Tracing): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: requestIdFor,
    requestIdHeader: false,
    logger: false,
  });
  const fastify = adapter.getInstance();
  // Bodies are JSON (and multipart on upload routes): anything else is a 415.
  fastify.removeContentTypeParser('text/plain');
  installRequestContext(fastify, { logger, logRequests: config.LOG_REQUESTS, tracing });
  registerWebApp(fastify, { dir: config.WEB_DIST_DIR, logger });

  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register({ config, logger, nc }), adapter, {
    logger: new NestPinoLogger(logger),
    // Fastify's own JSON parser, limited by bodyLimit; no url-encoded forms.
    bodyParser: false,
  });
  // Limits are set per upload route (see stageSingleUpload).
  await app.register(fastifyMultipart, { throwFileSizeLimit: true });

  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter(logger, config.BODY_LIMIT_BYTES));
  const cors = config.CORS_ORIGINS ? { origin: config.CORS_ORIGINS === '*' ? true : config.CORS_ORIGINS } : undefined;
  if (cors) app.enableCors({ ...cors, exposedHeaders: ['x-request-id', 'retry-after'] });
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, cors));
  // On SIGTERM: stop accepting connections, finish the requests in flight, then drain
  // NATS (BusModule) and exit with code 0 rather than re-raising the signal.
  app.enableShutdownHooks([], { useProcessExit: true });

  setupOpenApi(app);
  await app.init();
  return app;
}
