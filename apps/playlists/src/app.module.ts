import { Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { RpcClient } from '@octave/platform/bus';
import { NATS_CONNECTION, SERVICE_CONFIG } from '@octave/platform/service';
import type { PlaylistsConfig } from './config.js';
import { CoversService } from './covers/covers.service.js';
import { EntriesRpcController } from './entries/entries.rpc-controller.js';
import { EntriesService } from './entries/entries.service.js';
import { Owners } from './owners/owners.js';
import { PlaylistPresenter } from './playlists/playlist.presenter.js';
import { PlaylistsRpcController } from './playlists/playlists.rpc-controller.js';
import { PlaylistsService } from './playlists/playlists.service.js';
import { CatalogSongs } from './songs/catalog-songs.js';

/**
 * The playlists' RPC handlers. The service runtime provides the rest globally: config,
 * logger, entity manager, outbox, NATS, object store, and the `playlists.health.ping`
 * handler.
 */
@Module({
  controllers: [PlaylistsRpcController, EntriesRpcController],
  providers: [
    // Calls to the catalog (songs) and identity (whether a user exists), on the runtime's connection.
    {
      provide: RpcClient,
      useFactory: (nats: NatsConnection, config: PlaylistsConfig) => new RpcClient(nats, config.RPC_TIMEOUT_MS),
      inject: [NATS_CONNECTION, SERVICE_CONFIG],
    },
    Owners,
    CatalogSongs,
    PlaylistPresenter,
    PlaylistsService,
    CoversService,
    EntriesService,
  ],
})
export class PlaylistsModule {}
