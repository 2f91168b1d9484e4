import { Controller } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import type { RpcReply } from '../rpc-reply.js';
import { FriendshipsService } from './friendships.service.js';

@Controller()
export class FriendshipsRpcController {
  constructor(private readonly friendships: FriendshipsService) {}

  @RpcHandler('social.friendRequest.create')
  create(req: RpcRequest<'social.friendRequest.create'>): RpcReply<'social.friendRequest.create'> {
    return this.friendships.request(req);
  }

  @RpcHandler('social.friendRequest.list')
  list(req: RpcRequest<'social.friendRequest.list'>): RpcReply<'social.friendRequest.list'> {
    return this.friendships.list(req);
  }

  @RpcHandler('social.friendRequest.accept')
  accept(req: RpcRequest<'social.friendRequest.accept'>): RpcReply<'social.friendRequest.accept'> {
    return this.friendships.acceptById(req);
  }

  @RpcHandler('social.friendRequest.decline')
  decline(req: RpcRequest<'social.friendRequest.decline'>): RpcReply<'social.friendRequest.decline'> {
    return this.friendships.decline(req);
  }

  @RpcHandler('social.friendRequest.cancel')
  cancel(req: RpcRequest<'social.friendRequest.cancel'>): RpcReply<'social.friendRequest.cancel'> {
    return this.friendships.cancel(req);
  }

  @RpcHandler('social.friends.list')
  friends(req: RpcRequest<'social.friends.list'>): RpcReply<'social.friends.list'> {
    return this.friendships.friends(req);
  }

  @RpcHandler('social.friends.remove')
  unfriend(req: RpcRequest<'social.friends.remove'>): RpcReply<'social.friends.remove'> {
    return this.friendships.unfriend(req);
  }

  @RpcHandler('social.friends.ids')
  friendIds(req: RpcRequest<'social.friends.ids'>): RpcReply<'social.friends.ids'> {
    return this.friendships.friendIds(req);
  }
}
