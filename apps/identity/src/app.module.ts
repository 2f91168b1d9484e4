import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { EntityManager, type MikroORM as PgMikroORM } from '@mikro-orm/postgresql';
import type { NatsConnection } from '@nats-io/transport-node';
import { Outbox, OutboxRelay } from '@octave/platform/events';
import type { Logger } from '@octave/platform/observability';
import { ObjectStore } from '@octave/platform/storage';
import { IDENTITY_CONFIG, IDENTITY_OUTBOX, LOGGER, NATS_CONNECTION } from './app.tokens.js';
import { AuthRpcController } from './auth/auth.rpc-controller.js';
import { AuthService } from './auth/auth.service.js';
import { LoginThrottle } from './auth/login-throttle.service.js';
import { RefreshTokens } from './auth/refresh-tokens.service.js';
import { AvatarObjects } from './avatars/avatar-objects.js';
import { AvatarsRpcController } from './avatars/avatars.rpc-controller.js';
import { AvatarsService } from './avatars/avatars.service.js';
import { IDENTITY_SCHEMA, type IdentityConfig } from './config.js';
import { HealthRpcController } from './health/health.rpc-controller.js';
import { UserPresenter } from './users/user.presenter.js';
import { UsersRpcController } from './users/users.rpc-controller.js';
import { UsersService } from './users/users.service.js';

/** What `createIdentityApp` opens before the module exists, and hands to it. */
export interface IdentityResources {
  config: IdentityConfig;
  logger: Logger;
  orm: PgMikroORM;
  nats: NatsConnection;
  relay: OutboxRelay;
  store: ObjectStore;
}

/**
 * Releases the resources once the NATS server has stopped taking requests (Nest calls
 * `onApplicationShutdown` after closing the transport, for `app.close()` and for
 * SIGTERM/SIGINT alike): the relay publishes what the last requests recorded, then the
 * database pool and the relay's NATS connection close.
 */
@Injectable()
class IdentityShutdown implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    this.logger.info({ signal }, 'identity service shutting down');
  }

  async onApplicationShutdown(): Promise<void> {
    const steps: [string, () => Promise<unknown>][] = [
      ['outbox relay', () => this.relay.stop()],
      ['database', () => this.orm.close()],
      ['nats', () => this.nats.drain()],
    ];
    for (const [name, step] of steps) {
      await step().catch((err: unknown) => this.logger.error({ err }, `shutdown: closing ${name} failed`));
    }
    this.logger.info('identity service stopped');
  }
}

@Module({})
export class AppModule {
  static register(resources: IdentityResources): DynamicModule {
    const { config, logger, orm, nats, relay, store } = resources;
    return {
      module: AppModule,
      controllers: [AuthRpcController, UsersRpcController, AvatarsRpcController, HealthRpcController],
      providers: [
        { provide: IDENTITY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        // The core class is the token the bus interceptor looks up for per-message contexts.
        { provide: MikroORM, useValue: orm },
        // The global manager: inside a message it resolves to that message's context.
        { provide: EntityManager, useValue: orm.em },
        { provide: NATS_CONNECTION, useValue: nats },
        { provide: ObjectStore, useValue: store },
        { provide: OutboxRelay, useValue: relay },
        { provide: IDENTITY_OUTBOX, useValue: new Outbox({ service: 'identity', schema: IDENTITY_SCHEMA }) },
        IdentityShutdown,
        LoginThrottle,
        RefreshTokens,
        AuthService,
        UserPresenter,
        UsersService,
        AvatarObjects,
        AvatarsService,
      ],
    };
  }
}
