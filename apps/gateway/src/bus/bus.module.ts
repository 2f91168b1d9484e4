import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { RpcClient } from '@octave/platform/bus';
import type { Logger } from '@octave/platform/observability';
import { LOGGER, NATS_CONNECTION } from '../tokens.js';

/** Drains the connection once the HTTP server has stopped taking requests. */
@Injectable()
class NatsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch (err) {
      this.logger.warn({ err }, 'NATS drain failed');
    }
  }
}

/** The app-wide NATS connection and the one RpcClient every controller calls services with. */
@Global()
@Module({})
export class BusModule {
  static register(nc: NatsConnection, rpcTimeoutMs: number): DynamicModule {
    return {
      module: BusModule,
      providers: [
        { provide: NATS_CONNECTION, useValue: nc },
        { provide: RpcClient, useValue: new RpcClient(nc, rpcTimeoutMs) },
        NatsLifecycle,
      ],
      exports: [NATS_CONNECTION, RpcClient],
    };
  }
}
