import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post, Put, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@octave/contracts';
import { CurrentActor } from '@octave/platform/auth';
import { RpcClient } from '@octave/platform/bus';
import { ObjectStore } from '@octave/platform/storage';
import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config.js';
import { ApiErrors } from '../core/error-body.js';
import { ApiIdParam, IdParam } from '../core/id.pipe.js';
import { handOverUpload } from '../core/upload.js';
import { GATEWAY_CONFIG } from '../tokens.js';
import {
  AddSongBody,
  COVER_UPLOAD_SCHEMA,
  CreatePlaylistBody,
  MoveEntryBody,
  PlaylistEntryResponse,
  PlaylistResponse,
  UpdatePlaylistBody,
} from './playlists.dto.js';

@ApiTags('playlists')
@ApiBearerAuth()
@Controller('playlists')
export class PlaylistsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly store: ObjectStore,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Create an empty playlist of mine' })
  @ApiCreatedResponse({ type: PlaylistResponse })
  @ApiErrors(400, 401)
  create(@CurrentActor() actor: Actor, @Body() body: CreatePlaylistBody): Promise<PlaylistResponse> {
    return this.rpc.call('playlists.playlist.create', {
      actor,
      name: body.name,
      ...(body.description !== undefined ? { description: body.description } : {}),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A playlist with its songs, in order (playlists are public)' })
  @ApiIdParam('id', 'Playlist id')
  @ApiOkResponse({ type: PlaylistResponse })
  @ApiErrors(400, 401, 404)
  get(@IdParam('id') id: number): Promise<PlaylistResponse> {
    return this.rpc.call('playlists.playlist.get', { id });
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a playlist's name or description (owner only)" })
  @ApiIdParam('id', 'Playlist id')
  @ApiOkResponse({ type: PlaylistResponse })
  @ApiErrors(400, 401, 403, 404)
  update(@CurrentActor() actor: Actor, @IdParam('id') id: number, @Body() body: UpdatePlaylistBody): Promise<PlaylistResponse> {
    return this.rpc.call('playlists.playlist.update', {
      actor,
      id,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
    });
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a playlist (owner only); it leaves every stage it was attached to' })
  @ApiIdParam('id', 'Playlist id')
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  async delete(@CurrentActor() actor: Actor, @IdParam('id') id: number): Promise<void> {
    await this.rpc.call('playlists.playlist.delete', { actor, id });
  }

  @Put(':id/cover')
  @ApiOperation({
    summary: "Upload a playlist's cover (owner only)",
    description:
      'PNG, JPEG or WebP, at most `MAX_COVER_BYTES` (5 MiB by default); the type is sniffed from the content, ' +
      'whatever the name or declared type. The file is streamed to object storage as it arrives.',
  })
  @ApiIdParam('id', 'Playlist id')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: COVER_UPLOAD_SCHEMA as never })
  @ApiOkResponse({ type: PlaylistResponse })
  @ApiErrors(400, 401, 403, 404, 413, 415)
  async setCover(
    @CurrentActor() actor: Actor,
    @IdParam('id') id: number,
    @Req() request: FastifyRequest,
  ): Promise<PlaylistResponse> {
    const limits = { field: 'file', maxBytes: this.config.MAX_COVER_BYTES, uploaderId: actor.id };
    return handOverUpload(request, this.store, limits, (upload) =>
      this.rpc.call('playlists.playlist.cover.set', { actor, id, stagingKey: upload.key }),
    );
  }

  @Post(':id/songs')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Add a song to a playlist (owner only)',
    description:
      'At `position` (0-based, from 0 to the number of entries; the end by default); the entries from there on move ' +
      'down one. The same song may be added more than once. An unknown song is 404, a position outside 0..n is 400.',
  })
  @ApiIdParam('id', 'Playlist id')
  @ApiCreatedResponse({ type: PlaylistEntryResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  addSong(@CurrentActor() actor: Actor, @IdParam('id') id: number, @Body() body: AddSongBody): Promise<PlaylistEntryResponse> {
    return this.rpc.call('playlists.entry.add', {
      actor,
      playlistId: id,
      songId: body.songId,
      ...(body.position !== undefined ? { position: body.position } : {}),
    });
  }

  @Patch(':id/songs/:entryId')
  @ApiOperation({
    summary: 'Move an entry of a playlist (owner only)',
    description:
      'To `position` (0-based, from 0 to the number of entries - 1, else 400); the entries in between shift by one, ' +
      'so positions stay 0..n-1 without gaps. Answers the playlist with its songs.',
  })
  @ApiIdParam('id', 'Playlist id')
  @ApiIdParam('entryId', 'Entry id (the `id` of a `PlaylistEntry`)')
  @ApiOkResponse({ type: PlaylistResponse })
  @ApiErrors(400, 401, 403, 404)
  moveEntry(
    @CurrentActor() actor: Actor,
    @IdParam('id') id: number,
    @IdParam('entryId') entryId: number,
    @Body() body: MoveEntryBody,
  ): Promise<PlaylistResponse> {
    return this.rpc.call('playlists.entry.move', { actor, playlistId: id, entryId, position: body.position });
  }

  @Delete(':id/songs/:entryId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove an entry from a playlist (owner only); the positions close up' })
  @ApiIdParam('id', 'Playlist id')
  @ApiIdParam('entryId', 'Entry id (the `id` of a `PlaylistEntry`)')
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  async removeEntry(@CurrentActor() actor: Actor, @IdParam('id') id: number, @IdParam('entryId') entryId: number): Promise<void> {
    await this.rpc.call('playlists.entry.remove', { actor, playlistId: id, entryId });
  }
}
