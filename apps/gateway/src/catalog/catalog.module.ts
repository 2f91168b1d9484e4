import { Module } from '@nestjs/common';
import { GenresController } from './genres.controller.js';
import { SongsController } from './songs.controller.js';

/** The routes of the catalog service (API.md, "Catalog"). */
@Module({ controllers: [GenresController, SongsController] })
export class CatalogHttpModule {}
