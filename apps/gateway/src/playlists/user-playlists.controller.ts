import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '@octave/platform/bus';
import { ApiErrors } from '../core/error-body.js';
import { ApiIdParam, IdParam } from '../core/id.pipe.js';
import { PageQuery } from '../core/paging.js';
import { PlaylistPage } from './playlists.dto.js';

/** `GET /api/users/:id/playlists`. */
@ApiTags('playlists')
@ApiBearerAuth()
@Controller('users/:id/playlists')
export class UserPlaylistsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: "A user's playlists, newest first, without their songs" })
  @ApiIdParam('id', 'User id')
  @ApiOkResponse({ type: PlaylistPage })
  @ApiErrors(400, 401, 404)
  list(@IdParam('id') ownerId: number, @Query() query: PageQuery): Promise<InstanceType<typeof PlaylistPage>> {
    return this.rpc.call('playlists.playlist.listByOwner', {
      ownerId,
      limit: query.limit,
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
  }
}
