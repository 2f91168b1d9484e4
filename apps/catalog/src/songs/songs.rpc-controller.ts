import { Controller } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import type { RpcReply } from '../rpc-reply.js';
import { SongsService } from './songs.service.js';

@Controller()
export class SongsRpcController {
  constructor(private readonly songs: SongsService) {}

  @RpcHandler('catalog.song.create')
  create(req: RpcRequest<'catalog.song.create'>): RpcReply<'catalog.song.create'> {
    return this.songs.create(req);
  }

  @RpcHandler('catalog.song.get')
  get(req: RpcRequest<'catalog.song.get'>): RpcReply<'catalog.song.get'> {
    return this.songs.get(req.id);
  }

  @RpcHandler('catalog.song.getMany')
  getMany(req: RpcRequest<'catalog.song.getMany'>): RpcReply<'catalog.song.getMany'> {
    return this.songs.getMany(req.ids);
  }

  @RpcHandler('catalog.song.search')
  search(req: RpcRequest<'catalog.song.search'>): RpcReply<'catalog.song.search'> {
    return this.songs.search(req);
  }

  @RpcHandler('catalog.song.update')
  update(req: RpcRequest<'catalog.song.update'>): RpcReply<'catalog.song.update'> {
    return this.songs.update(req);
  }

  @RpcHandler('catalog.song.delete')
  delete(req: RpcRequest<'catalog.song.delete'>): RpcReply<'catalog.song.delete'> {
    return this.songs.delete(req);
  }

  @RpcHandler('catalog.song.streamInfo')
  streamInfo(req: RpcRequest<'catalog.song.streamInfo'>): RpcReply<'catalog.song.streamInfo'> {
    return this.songs.streamInfo(req.id);
  }
}
