import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post, Put, Query, Req } from '@nestjs/common';
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
  AttachPlaylistBody,
  ChatBody,
  ChatHistoryQuery,
  ChatMessagePage,
  ChatMessageResponse,
  CreateStageBody,
  KickBody,
  ListStagesQuery,
  PlaybackControlBody,
  PlaybackResponse,
  STAGE_COVER_SCHEMA,
  StagePage,
  StageResponse,
  UpdateStageBody,
} from './stages.dto.js';

const STAGE_ID = ApiIdParam('id', 'Stage id');

/** Live listening rooms (API.md, "Stages"); what subscribers are told goes out over Socket.IO. */
@ApiTags('stages')
@ApiBearerAuth()
@Controller('stages')
export class StagesController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly store: ObjectStore,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Open a stage; I host it and am its first participant' })
  @ApiCreatedResponse({ type: StageResponse })
  @ApiErrors(400, 401, 404)
  create(@CurrentActor() actor: Actor, @Body() body: CreateStageBody): Promise<StageResponse> {
    return this.rpc.call('stages.stage.create', {
      actor,
      name: body.name,
      ...(body.genreIds !== undefined ? { genreIds: body.genreIds } : {}),
      ...(body.playlistIds !== undefined ? { playlistIds: body.playlistIds } : {}),
    });
  }

  @Get()
  @ApiOperation({
    summary: 'Live stages, most participants first',
    description: 'Optionally of one genre, of one host, or (`friends=true`) hosted or joined by my friends.',
  })
  @ApiOkResponse({ type: StagePage })
  @ApiErrors(400, 401)
  list(@CurrentActor() actor: Actor, @Query() query: ListStagesQuery): Promise<InstanceType<typeof StagePage>> {
    return this.rpc.call('stages.stage.list', {
      actor,
      limit: query.limit,
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      ...(query.genreId !== undefined ? { genreId: query.genreId } : {}),
      ...(query.hostId !== undefined ? { hostId: query.hostId } : {}),
      ...(query.friends !== undefined ? { friends: query.friends } : {}),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A live stage with its participants (an ended stage is 404)' })
  @STAGE_ID
  @ApiOkResponse({ type: StageResponse })
  @ApiErrors(400, 401, 404)
  get(@CurrentActor() actor: Actor, @IdParam('id') id: number): Promise<StageResponse> {
    return this.rpc.call('stages.stage.get', { actor, id });
  }

  @Patch(':id')
  @ApiOperation({ summary: "Rename a stage or change its genres (host only); subscribers get `stage:updated`" })
  @STAGE_ID
  @ApiOkResponse({ type: StageResponse })
  @ApiErrors(400, 401, 403, 404)
  update(@CurrentActor() actor: Actor, @IdParam('id') id: number, @Body() body: UpdateStageBody): Promise<StageResponse> {
    return this.rpc.call('stages.stage.update', {
      actor,
      id,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.genreIds !== undefined ? { genreIds: body.genreIds } : {}),
    });
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End a stage (host only); subscribers get `stage:ended`' })
  @STAGE_ID
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  async end(@CurrentActor() actor: Actor, @IdParam('id') id: number): Promise<void> {
    await this.rpc.call('stages.stage.end', { actor, id });
  }

  @Put(':id/cover')
  @ApiOperation({
    summary: "Upload a stage's cover (host only)",
    description:
      'PNG, JPEG or WebP, at most `MAX_COVER_BYTES` (5 MiB by default); the type is sniffed from the content, ' +
      'whatever the name or declared type. The file is streamed to object storage as it arrives.',
  })
  @STAGE_ID
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: STAGE_COVER_SCHEMA as never })
  @ApiOkResponse({ type: StageResponse })
  @ApiErrors(400, 401, 403, 404, 413, 415)
  async setCover(@CurrentActor() actor: Actor, @IdParam('id') id: number, @Req() request: FastifyRequest): Promise<StageResponse> {
    const limits = { field: 'file', maxBytes: this.config.MAX_COVER_BYTES, uploaderId: actor.id };
    return handOverUpload(request, this.store, limits, (upload) =>
      this.rpc.call('stages.stage.cover.set', { actor, id, stagingKey: upload.key }),
    );
  }

  @Post(':id/join')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Join a stage (idempotent)',
    description: 'Refused (403) when its host blocked me or kicked me out, and (409) when it is full (`MAX_STAGE_PARTICIPANTS`).',
  })
  @STAGE_ID
  @ApiOkResponse({ type: StageResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  join(@CurrentActor() actor: Actor, @IdParam('id') id: number): Promise<StageResponse> {
    return this.rpc.call('stages.stage.join', { actor, id });
  }

  @Post(':id/leave')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Leave a stage (idempotent); when the host leaves, the stage ends' })
  @STAGE_ID
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 404)
  async leave(@CurrentActor() actor: Actor, @IdParam('id') id: number): Promise<void> {
    await this.rpc.call('stages.stage.leave', { actor, id });
  }

  @Post(':id/kick')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a user from a stage for good (host only); they cannot rejoin it' })
  @STAGE_ID
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  async kick(@CurrentActor() actor: Actor, @IdParam('id') id: number, @Body() body: KickBody): Promise<void> {
    await this.rpc.call('stages.stage.kick', { actor, id, userId: body.userId });
  }

  @Post(':id/playlists')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Append a playlist to a stage's queue (host only; idempotent)" })
  @STAGE_ID
  @ApiOkResponse({ type: StageResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  attachPlaylist(@CurrentActor() actor: Actor, @IdParam('id') id: number, @Body() body: AttachPlaylistBody): Promise<StageResponse> {
    return this.rpc.call('stages.stage.playlist.add', { actor, id, playlistId: body.playlistId });
  }

  @Delete(':id/playlists/:playlistId')
  @ApiOperation({
    summary: "Take a playlist off a stage's queue (host only)",
    description: 'If the song playing came from it, the queue moves on to the song after it.',
  })
  @STAGE_ID
  @ApiIdParam('playlistId', 'Playlist id')
  @ApiOkResponse({ type: StageResponse })
  @ApiErrors(400, 401, 403, 404)
  detachPlaylist(
    @CurrentActor() actor: Actor,
    @IdParam('id') id: number,
    @IdParam('playlistId') playlistId: number,
  ): Promise<StageResponse> {
    return this.rpc.call('stages.stage.playlist.remove', { actor, id, playlistId });
  }

  @Get(':id/playback')
  @ApiOperation({ summary: "What a stage plays now, computed from the server's clock (participants only)" })
  @STAGE_ID
  @ApiOkResponse({ type: PlaybackResponse })
  @ApiErrors(400, 401, 403, 404)
  playback(@CurrentActor() actor: Actor, @IdParam('id') id: number): Promise<PlaybackResponse> {
    return this.rpc.call('stages.playback.get', { actor, id });
  }

  @Post(':id/playback')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Control the playback (host only); subscribers get `playback:state`',
    description:
      '`play` needs `songId` from one of the stage’s playlists (optional `positionMs`); `seek` needs `positionMs` ' +
      'below the song’s duration; `next` past the last song stops; `previous` at the first song restarts it. ' +
      'Pause, resume or seek with no song loaded, and next/previous with an empty queue, are 409. At the end of ' +
      'a song the next one starts by itself.',
  })
  @STAGE_ID
  @ApiOkResponse({ type: PlaybackResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  control(@CurrentActor() actor: Actor, @IdParam('id') id: number, @Body() body: PlaybackControlBody): Promise<PlaybackResponse> {
    return this.rpc.call('stages.playback.control', {
      actor,
      id,
      action: body.action,
      ...(body.songId !== undefined ? { songId: body.songId } : {}),
      ...(body.positionMs !== undefined ? { positionMs: body.positionMs } : {}),
    });
  }

  @Post(':id/chat')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Say something in a stage (participants only); subscribers get `chat:message`',
    description: 'Rate limited per user: `CHAT_RATE_LIMIT` messages per `CHAT_RATE_WINDOW_SECONDS` (429 with `Retry-After`).',
  })
  @STAGE_ID
  @ApiCreatedResponse({ type: ChatMessageResponse })
  @ApiErrors(400, 401, 403, 404, 429)
  chat(@CurrentActor() actor: Actor, @IdParam('id') id: number, @Body() body: ChatBody): Promise<ChatMessageResponse> {
    return this.rpc.call('stages.chat.send', { actor, id, message: body.message });
  }

  @Get(':id/chat')
  @ApiOperation({ summary: "A stage's chat, newest first (participants only)", description: 'Page back with `before=<nextCursor>`.' })
  @STAGE_ID
  @ApiOkResponse({ type: ChatMessagePage })
  @ApiErrors(400, 401, 403, 404)
  chatHistory(
    @CurrentActor() actor: Actor,
    @IdParam('id') id: number,
    @Query() query: ChatHistoryQuery,
  ): Promise<InstanceType<typeof ChatMessagePage>> {
    return this.rpc.call('stages.chat.list', {
      actor,
      id,
      limit: query.limit,
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      ...(query.before !== undefined ? { before: query.before } : {}),
    });
  }
}
