import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@octave/contracts';
import { CurrentActor } from '@octave/platform/auth';
import { RpcClient } from '@octave/platform/bus';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../core/error-body.js';
import { ParseIdPipe } from '../core/id.pipe.js';
import { CreateFriendRequestBody, FriendRequestPage, FriendRequestResponse, FriendRequestsQuery } from './social.dto.js';

@ApiTags('friends')
@ApiBearerAuth()
@Controller('friends')
export class FriendsController {
  constructor(private readonly rpc: RpcClient) {}

  /**
   * 201 for a new request; 200 when it accepted the other user's pending request. The
   * status depends on the answer, so the reply is written here (a passthrough reply
   * would get Nest's fixed status after the handler).
   */
  @Post('requests')
  @ApiOperation({
    summary: 'Ask a user to be friends',
    description: 'If that user had already asked me, this accepts their request instead (200, status `accepted`).',
  })
  @ApiCreatedResponse({ type: FriendRequestResponse, description: 'A new pending request' })
  @ApiOkResponse({ type: FriendRequestResponse, description: "The other user's request, now accepted" })
  @ApiErrors(400, 401, 403, 404, 409)
  async request(
    @CurrentActor() actor: Actor,
    @Body() body: CreateFriendRequestBody,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const request = await this.rpc.call('social.friendRequest.create', { actor, userId: body.userId });
    await reply.status(request.status === 'accepted' ? HttpStatus.OK : HttpStatus.CREATED).send(request);
  }

  @Get('requests')
  @ApiOperation({ summary: 'My pending friend requests, newest first' })
  @ApiOkResponse({ type: FriendRequestPage })
  @ApiErrors(400, 401)
  list(@CurrentActor() actor: Actor, @Query() query: FriendRequestsQuery): Promise<InstanceType<typeof FriendRequestPage>> {
    return this.rpc.call('social.friendRequest.list', {
      actor,
      direction: query.direction ?? 'incoming',
      limit: query.limit,
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
  }

  @Post('requests/:id/accept')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Accept a friend request (its addressee only)' })
  @ApiParam({ name: 'id', type: Number, description: 'Friend request id' })
  @ApiOkResponse({ type: FriendRequestResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  accept(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<FriendRequestResponse> {
    return this.rpc.call('social.friendRequest.accept', { actor, requestId: id });
  }

  @Post('requests/:id/decline')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Decline a friend request (its addressee only)' })
  @ApiParam({ name: 'id', type: Number, description: 'Friend request id' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404, 409)
  async decline(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.rpc.call('social.friendRequest.decline', { actor, requestId: id });
  }

  @Delete('requests/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Cancel a friend request I sent' })
  @ApiParam({ name: 'id', type: Number, description: 'Friend request id' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404, 409)
  async cancel(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.rpc.call('social.friendRequest.cancel', { actor, requestId: id });
  }

  @Delete(':userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Unfriend a user' })
  @ApiParam({ name: 'userId', type: Number, description: 'The friend to remove' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 404)
  async unfriend(@CurrentActor() actor: Actor, @Param('userId', ParseIdPipe) userId: number): Promise<void> {
    await this.rpc.call('social.friends.remove', { actor, userId });
  }
}
