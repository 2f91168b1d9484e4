import { Controller } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import type { RpcReply } from '../rpc-reply.js';
import { FollowsService } from './follows.service.js';

@Controller()
export class FollowsRpcController {
  constructor(private readonly follows: FollowsService) {}

  @RpcHandler('social.follow.create')
  follow(req: RpcRequest<'social.follow.create'>): RpcReply<'social.follow.create'> {
    return this.follows.follow(req);
  }

  @RpcHandler('social.follow.remove')
  unfollow(req: RpcRequest<'social.follow.remove'>): RpcReply<'social.follow.remove'> {
    return this.follows.unfollow(req);
  }

  @RpcHandler('social.follow.listFollowing')
  following(req: RpcRequest<'social.follow.listFollowing'>): RpcReply<'social.follow.listFollowing'> {
    return this.follows.following(req);
  }

  @RpcHandler('social.follow.listFollowers')
  followers(req: RpcRequest<'social.follow.listFollowers'>): RpcReply<'social.follow.listFollowers'> {
    return this.follows.followers(req);
  }
}
