import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@octave/contracts';
import { CurrentActor } from '@octave/platform/auth';
import { RpcClient } from '@octave/platform/bus';
import { ObjectNotFoundError, ObjectStore } from '@octave/platform/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config.js';
import { ApiErrors, errorBody } from '../core/error-body.js';
import { ParseIdPipe } from '../core/id.pipe.js';
import { handOverUpload } from '../core/upload.js';
import { GATEWAY_CONFIG } from '../tokens.js';
import { contentRange, resolveRange } from './byte-range.js';
import { SearchSongsQuery, SONG_UPLOAD_SCHEMA, SongPage, SongResponse, UpdateSongBody } from './catalog.dto.js';
import { parseSongUploadFields, SONG_UPLOAD_FIELDS } from './song-upload-fields.js';
import { StreamInfoCache } from './stream-info.js';

/**
 * How long the catalog may take to adopt an upload: it reads the whole file to measure
 * its duration (an MP3 has no length field), which for 50 MiB takes far longer than an
 * ordinary RPC may.
 */
const SONG_CREATE_TIMEOUT_MS = 120_000;

const ID_PARAM = { name: 'id', type: Number, description: 'Song id (positive integer)' } as const;

@ApiTags('songs')
@ApiBearerAuth()
@Controller('songs')
export class SongsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly store: ObjectStore,
    private readonly streamInfo: StreamInfoCache,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Upload a song',
    description:
      'The file is streamed to object storage as it arrives (never held in memory) and must be at most ' +
      '`MAX_UPLOAD_BYTES` (50 MiB by default). Its type is sniffed from the content, whatever its name or ' +
      'declared type, and its duration read from the audio. Text fields may come before or after the file.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: SONG_UPLOAD_SCHEMA as never })
  @ApiCreatedResponse({ type: SongResponse })
  @ApiErrors(400, 401, 404, 413, 415)
  async create(@CurrentActor() actor: Actor, @Req() request: FastifyRequest): Promise<SongResponse> {
    const limits = { field: 'file', maxBytes: this.config.MAX_UPLOAD_BYTES, fields: SONG_UPLOAD_FIELDS, uploaderId: actor.id };
    // Invalid fields throw inside the hand-over too, so their staged file is discarded as well.
    return handOverUpload(request, this.store, limits, (upload) =>
      this.rpc.call(
        'catalog.song.create',
        { actor, stagingKey: upload.key, ...parseSongUploadFields(upload.fields) },
        { timeoutMs: Math.max(this.config.RPC_TIMEOUT_MS, SONG_CREATE_TIMEOUT_MS) },
      ),
    );
  }

  @Get()
  @ApiOperation({ summary: 'Songs, newest first, optionally matching a search text, a genre or an uploader' })
  @ApiOkResponse({ type: SongPage })
  @ApiErrors(400, 401)
  search(@Query() query: SearchSongsQuery): Promise<InstanceType<typeof SongPage>> {
    return this.rpc.call('catalog.song.search', {
      limit: query.limit,
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      ...(query.search !== undefined ? { search: query.search } : {}),
      ...(query.genreId !== undefined ? { genreId: query.genreId } : {}),
      ...(query.uploaderId !== undefined ? { uploaderId: query.uploaderId } : {}),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A song' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: SongResponse })
  @ApiErrors(400, 401, 404)
  get(@Param('id', ParseIdPipe) id: number): Promise<SongResponse> {
    return this.rpc.call('catalog.song.get', { id });
  }

  @Get(':id/stream')
  @ApiOperation({
    summary: "A song's audio, whole or a byte range",
    description:
      'Honours a single `Range: bytes=…` (`N-M`, open `N-`, suffix `-N`) with 206 and `Content-Range`. ' +
      'Several ranges are answered with the whole file (200), as RFC 9110 allows; a range that cannot be ' +
      'satisfied, or a malformed `bytes` range, is 416 with `Content-Range: bytes */<size>`.',
  })
  @ApiParam(ID_PARAM)
  @ApiHeader({ name: 'Range', required: false, description: 'e.g. `bytes=0-1023`, `bytes=1024-`, `bytes=-1024`' })
  @ApiProduces('audio/mpeg', 'audio/ogg', 'audio/flac', 'audio/wav', 'audio/mp4', 'audio/aac')
  @ApiResponse({ status: 200, description: 'The whole file', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 206, description: 'The requested range', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(400, 401, 404, 416)
  async stream(
    @Param('id', ParseIdPipe) id: number,
    @Headers('range') range: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const info = await this.streamInfo.get(id);
    const size = info.sizeBytes;
    const outcome = resolveRange(range, size);
    reply.header('accept-ranges', 'bytes');
    if (outcome.kind === 'unsatisfiable') {
      await reply
        .status(416)
        .header('content-range', `bytes */${size}`)
        .type('application/json; charset=utf-8')
        .send(errorBody(416, `range "${range}" cannot be satisfied: the file has ${size} bytes`));
      return;
    }
    const part = outcome.kind === 'partial' ? outcome.range : undefined;
    let body;
    try {
      body = await this.store.getStream(info.objectKey, part);
    } catch (err) {
      // Deleted since the catalog told where its audio is (the audio goes before the
      // delete is answered, its event may come later).
      if (err instanceof ObjectNotFoundError) {
        this.streamInfo.forget(id);
        throw new NotFoundException(`song ${id} not found`);
      }
      throw err;
    }
    reply.header('content-type', info.mimeType);
    if (part) {
      reply.status(206).header('content-range', contentRange(part, size)).header('content-length', part.end - part.start + 1);
    } else {
      reply.status(200).header('content-length', size);
    }
    // Fastify pipes the store's stream to the socket and destroys it if the client goes away.
    await reply.send(body);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a song's title, artist or genres (uploader only)" })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: SongResponse })
  @ApiErrors(400, 401, 403, 404)
  update(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() body: UpdateSongBody): Promise<SongResponse> {
    return this.rpc.call('catalog.song.update', {
      actor,
      id,
      ...(body.title !== undefined ? { title: body.title } : {}),
      ...(body.artist !== undefined ? { artist: body.artist } : {}),
      ...(body.genreIds !== undefined ? { genreIds: body.genreIds } : {}),
    });
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a song and its audio (uploader only); it leaves every playlist and stage queue' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  async delete(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.rpc.call('catalog.song.delete', { actor, id });
  }
}
