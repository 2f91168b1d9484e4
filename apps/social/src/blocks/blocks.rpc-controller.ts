import { Controller } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import type { RpcReply } from '../rpc-reply.js';
import { BlocksService } from './blocks.service.js';

@Controller()
export class BlocksRpcController {
  constructor(private readonly blocks: BlocksService) {}

  @RpcHandler('social.block.create')
  block(req: RpcRequest<'social.block.create'>): RpcReply<'social.block.create'> {
    return this.blocks.block(req);
  }

  @RpcHandler('social.block.remove')
  unblock(req: RpcRequest<'social.block.remove'>): RpcReply<'social.block.remove'> {
    return this.blocks.unblock(req);
  }

  @RpcHandler('social.block.check')
  check(req: RpcRequest<'social.block.check'>): RpcReply<'social.block.check'> {
    return this.blocks.check(req);
  }
}
