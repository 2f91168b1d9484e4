import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@octave/contracts';
import { CurrentActor } from '@octave/platform/auth';
import { RpcClient } from '@octave/platform/bus';
import { ApiErrors } from '../core/error-body.js';
import { ParseIdPipe } from '../core/id.pipe.js';
import { PageQuery } from '../core/paging.js';
import { UserPage } from '../identity/identity.dto.js';

type UserPageResponse = InstanceType<typeof UserPage>;

const userIdParam = ApiParam({ name: 'id', type: Number, description: 'User id (positive integer)' });

/** A user's friends, follows and blocks: `/api/users/:id/...`. */
@ApiTags('social')
@ApiBearerAuth()
@Controller('users/:id')
export class UserGraphController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('friends')
  @ApiOperation({ summary: "A user's friends, most recent friendship first" })
  @userIdParam
  @ApiOkResponse({ type: UserPage })
  @ApiErrors(400, 401, 404)
  friends(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) userId: number,
    @Query() query: PageQuery,
  ): Promise<UserPageResponse> {
    return this.rpc.call('social.friends.list', { actor, userId, ...page(query) });
  }

  @Put('follow')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Follow a user (idempotent)' })
  @userIdParam
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  async follow(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) userId: number): Promise<void> {
    await this.rpc.call('social.follow.create', { actor, userId });
  }

  @Delete('follow')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Stop following a user (idempotent)' })
  @userIdParam
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 404)
  async unfollow(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) userId: number): Promise<void> {
    await this.rpc.call('social.follow.remove', { actor, userId });
  }

  @Get('following')
  @ApiOperation({ summary: 'Whom a user follows, most recent first' })
  @userIdParam
  @ApiOkResponse({ type: UserPage })
  @ApiErrors(400, 401, 404)
  following(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) userId: number,
    @Query() query: PageQuery,
  ): Promise<UserPageResponse> {
    return this.rpc.call('social.follow.listFollowing', { actor, userId, ...page(query) });
  }

  @Get('followers')
  @ApiOperation({ summary: 'Who follows a user, most recent first' })
  @userIdParam
  @ApiOkResponse({ type: UserPage })
  @ApiErrors(400, 401, 404)
  followers(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) userId: number,
    @Query() query: PageQuery,
  ): Promise<UserPageResponse> {
    return this.rpc.call('social.follow.listFollowers', { actor, userId, ...page(query) });
  }

  @Put('block')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Block a user (idempotent)',
    description:
      'Removes the friendship, friend requests and follows between us, both ways. Until unblocked, neither can ask ' +
      'the other to be friends or follow the other, and the blocked user cannot join stages I host.',
  })
  @userIdParam
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 404)
  async block(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) userId: number): Promise<void> {
    await this.rpc.call('social.block.create', { actor, userId });
  }

  @Delete('block')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Unblock a user (idempotent)' })
  @userIdParam
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 404)
  async unblock(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) userId: number): Promise<void> {
    await this.rpc.call('social.block.remove', { actor, userId });
  }
}

function page(query: PageQuery): { limit: number; cursor?: string } {
  return { limit: query.limit, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) };
}
