import { Controller } from '@nestjs/common';
import type { MeDto, RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import { AvatarsService } from './avatars.service.js';

@Controller()
export class AvatarsRpcController {
  constructor(private readonly avatars: AvatarsService) {}

  @RpcHandler('identity.me.avatar.set')
  set(req: RpcRequest<'identity.me.avatar.set'>): Promise<MeDto> {
    return this.avatars.set(req.actor, req.stagingKey);
  }

  @RpcHandler('identity.me.avatar.remove')
  remove(req: RpcRequest<'identity.me.avatar.remove'>): Promise<MeDto> {
    return this.avatars.remove(req.actor);
  }
}
