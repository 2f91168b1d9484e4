import { Module } from '@nestjs/common';
import { GenresController } from './genres.controller.js';
import { SongsController } from './songs.controller.js';
import { StreamInfoCache } from './stream-info.js';

/** The routes of the catalog service (API.md, "Catalog"). */
@Module({ controllers: [GenresController, SongsController], providers: [StreamInfoCache] })
export class CatalogHttpModule {}
