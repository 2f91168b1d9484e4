import { Controller, Inject } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import type { RpcReply } from '../rpc-reply.js';
import { PlaybackService } from './playback.service.js';

@Controller()
export class PlaybackRpcController {
  constructor(@Inject(PlaybackService) private readonly playback: PlaybackService) {}

  @RpcHandler('stages.playback.get')
  get(req: RpcRequest<'stages.playback.get'>): RpcReply<'stages.playback.get'> {
    return this.playback.get(req);
  }

  @RpcHandler('stages.playback.control')
  control(req: RpcRequest<'stages.playback.control'>): RpcReply<'stages.playback.control'> {
    return this.playback.control(req);
  }
}
