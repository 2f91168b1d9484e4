import { Controller, Inject } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import type { RpcReply } from '../rpc-reply.js';
import { ChatService } from './chat.service.js';

@Controller()
export class ChatRpcController {
  constructor(@Inject(ChatService) private readonly chat: ChatService) {}

  @RpcHandler('stages.chat.send')
  send(req: RpcRequest<'stages.chat.send'>): RpcReply<'stages.chat.send'> {
    return this.chat.send(req);
  }

  @RpcHandler('stages.chat.list')
  list(req: RpcRequest<'stages.chat.list'>): RpcReply<'stages.chat.list'> {
    return this.chat.list(req);
  }
}
