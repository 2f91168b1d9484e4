import { Module } from '@nestjs/common';
import { GenresRpcController } from './genres/genres.rpc-controller.js';
import { GenresService } from './genres/genres.service.js';
import { SongPresenter } from './songs/song.presenter.js';
import { SongsRpcController } from './songs/songs.rpc-controller.js';
import { SongsService } from './songs/songs.service.js';

/**
 * The catalog's RPC handlers. The service runtime provides the rest globally: config,
 * logger, entity manager, outbox, object store, and the `catalog.health.ping` handler.
 */
@Module({
  controllers: [GenresRpcController, SongsRpcController],
  providers: [GenresService, SongPresenter, SongsService],
})
export class CatalogModule {}
