import { Controller, Inject } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import type { RpcReply } from '../rpc-reply.js';
import { StagesService } from './stages.service.js';

@Controller()
export class StagesRpcController {
  constructor(@Inject(StagesService) private readonly stages: StagesService) {}

  @RpcHandler('stages.stage.create')
  create(req: RpcRequest<'stages.stage.create'>): RpcReply<'stages.stage.create'> {
    return this.stages.create(req);
  }

  @RpcHandler('stages.stage.list')
  list(req: RpcRequest<'stages.stage.list'>): RpcReply<'stages.stage.list'> {
    return this.stages.list(req);
  }

  @RpcHandler('stages.stage.get')
  get(req: RpcRequest<'stages.stage.get'>): RpcReply<'stages.stage.get'> {
    return this.stages.get(req);
  }

  @RpcHandler('stages.stage.subscribe')
  subscribe(req: RpcRequest<'stages.stage.subscribe'>): RpcReply<'stages.stage.subscribe'> {
    return this.stages.subscribe(req);
  }

  @RpcHandler('stages.stage.update')
  update(req: RpcRequest<'stages.stage.update'>): RpcReply<'stages.stage.update'> {
    return this.stages.update(req);
  }

  @RpcHandler('stages.stage.cover.set')
  setCover(req: RpcRequest<'stages.stage.cover.set'>): RpcReply<'stages.stage.cover.set'> {
    return this.stages.setCover(req);
  }

  @RpcHandler('stages.stage.end')
  end(req: RpcRequest<'stages.stage.end'>): RpcReply<'stages.stage.end'> {
    return this.stages.end(req);
  }

  @RpcHandler('stages.stage.join')
  join(req: RpcRequest<'stages.stage.join'>): RpcReply<'stages.stage.join'> {
    return this.stages.join(req);
  }

  @RpcHandler('stages.stage.leave')
  leave(req: RpcRequest<'stages.stage.leave'>): RpcReply<'stages.stage.leave'> {
    return this.stages.leave(req);
  }

  @RpcHandler('stages.stage.kick')
  kick(req: RpcRequest<'stages.stage.kick'>): RpcReply<'stages.stage.kick'> {
    return this.stages.kick(req);
  }

  @RpcHandler('stages.stage.playlist.add')
  addPlaylist(req: RpcRequest<'stages.stage.playlist.add'>): RpcReply<'stages.stage.playlist.add'> {
    return this.stages.addPlaylist(req);
  }

  @RpcHandler('stages.stage.playlist.remove')
  removePlaylist(req: RpcRequest<'stages.stage.playlist.remove'>): RpcReply<'stages.stage.playlist.remove'> {
    return this.stages.removePlaylist(req);
  }
}
