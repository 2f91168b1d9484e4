import { Module } from '@nestjs/common';
import { PlaylistsController } from './playlists.controller.js';
import { UserPlaylistsController } from './user-playlists.controller.js';

/** The routes of the playlists service (API.md, "Playlists"). */
@Module({ controllers: [PlaylistsController, UserPlaylistsController] })
export class PlaylistsHttpModule {}
