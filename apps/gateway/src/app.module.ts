import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/transport-node';
import { JwtStrategy } from '@octave/platform/auth';
import type { Logger } from '@octave/platform/observability';
import { StorageModule } from '@octave/platform/storage';
import { BusModule } from './bus/bus.module.js';
import type { GatewayConfig } from './config.js';
import { GatewayAuthGuard } from './core/auth.guard.js';
import { DocsModule } from './docs/docs.js';
import { HealthModule } from './health/health.module.js';
import { CatalogHttpModule } from './catalog/catalog.module.js';
import { IdentityHttpModule } from './identity/identity.module.js';
import { MetricsModule } from './metrics/metrics.controller.js';
import { PlaylistsHttpModule } from './playlists/playlists.module.js';
import { RealtimeModule } from './realtime/realtime.gateway.js';
import { SocialHttpModule } from './social/social.module.js';
import { StagesHttpModule } from './stages/stages.module.js';
import { GATEWAY_CONFIG, LOGGER } from './tokens.js';

/**
 * The public routes, one module per service behind the gateway. A new service's routes
 * are a new module here; everything else (auth, validation, errors, docs) applies to
 * it as it is.
 */
const ROUTE_MODULES: Type[] = [IdentityHttpModule, CatalogHttpModule, SocialHttpModule, PlaylistsHttpModule, StagesHttpModule];

@Global()
@Module({})
class CoreModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        // Registers itself with passport under the name the guard asks for.
        { provide: JwtStrategy, useFactory: () => new JwtStrategy(config.JWT_SECRET) },
        { provide: APP_GUARD, useClass: GatewayAuthGuard },
      ],
      exports: [GATEWAY_CONFIG, LOGGER],
    };
  }
}

@Module({})
export class GatewayModule {
  static register(deps: { config: GatewayConfig; logger: Logger; nc: NatsConnection }): DynamicModule {
    const { config, logger, nc } = deps;
    return {
      module: GatewayModule,
      imports: [
        CoreModule.register(config, logger),
        BusModule.register(nc, config.RPC_TIMEOUT_MS),
        StorageModule.forRoot({
          endpoint: config.S3_ENDPOINT,
          publicEndpoint: config.S3_PUBLIC_ENDPOINT,
          accessKey: config.S3_ACCESS_KEY,
          secretKey: config.S3_SECRET_KEY,
          bucket: config.S3_BUCKET,
          region: config.S3_REGION,
          logger,
        }),
        HealthModule,
        DocsModule,
        MetricsModule,
        RealtimeModule,
        ...ROUTE_MODULES,
      ],
    };
  }
}
