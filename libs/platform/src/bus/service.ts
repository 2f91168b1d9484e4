import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type NatsOptions } from '@nestjs/microservices';
import { MikroORM } from '@mikro-orm/core';
import type { ServiceName } from '@octave/contracts';
import { NestPinoLogger, type Logger } from '../observability/index.js';
import { RpcContextInterceptor, RpcErrorFilter } from './server.js';

/**
 * A service's NestJS microservice on NATS: its RPC handlers share the queue group named
 * after the service, so replicas split the load; every handler runs behind the error
 * envelope filter and the unit-of-work interceptor.
 */
export async function createMicroservice(
  module: unknown,
  opts: { service: ServiceName; natsUrl: string; logger: Logger },
): Promise<INestMicroservice> {
  const natsOptions: NatsOptions = {
    transport: Transport.NATS,
    options: { servers: [opts.natsUrl], queue: opts.service, maxReconnectAttempts: -1, reconnectTimeWait: 500 },
  };
  const app = await NestFactory.createMicroservice(module as never, {
    ...natsOptions,
    logger: new NestPinoLogger(opts.logger),
    // Errors at start reach the caller (which logs them and exits) instead of Nest
    // exiting the process on its own.
    abortOnError: false,
  });
  // Services without a database (none yet, but tests have them) get no ORM context.
  let orm: MikroORM | undefined;
  try {
    orm = app.get(MikroORM, { strict: false });
  } catch {
    orm = undefined;
  }
  app.useGlobalFilters(new RpcErrorFilter(opts.logger));
  app.useGlobalInterceptors(new RpcContextInterceptor(opts.logger, orm));
  app.enableShutdownHooks();
  return app;
}
