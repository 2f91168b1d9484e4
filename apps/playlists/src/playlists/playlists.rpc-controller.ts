import { Controller } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import { CoversService } from '../covers/covers.service.js';
import type { RpcReply } from '../rpc-reply.js';
import { PlaylistsService } from './playlists.service.js';

@Controller()
export class PlaylistsRpcController {
  constructor(
    private readonly playlists: PlaylistsService,
    private readonly covers: CoversService,
  ) {}

  @RpcHandler('playlists.playlist.create')
  create(req: RpcRequest<'playlists.playlist.create'>): RpcReply<'playlists.playlist.create'> {
    return this.playlists.create(req);
  }

  @RpcHandler('playlists.playlist.get')
  get(req: RpcRequest<'playlists.playlist.get'>): RpcReply<'playlists.playlist.get'> {
    return this.playlists.get(req.id);
  }

  @RpcHandler('playlists.playlist.listByOwner')
  listByOwner(req: RpcRequest<'playlists.playlist.listByOwner'>): RpcReply<'playlists.playlist.listByOwner'> {
    return this.playlists.listByOwner(req);
  }

  @RpcHandler('playlists.playlist.update')
  update(req: RpcRequest<'playlists.playlist.update'>): RpcReply<'playlists.playlist.update'> {
    return this.playlists.update(req);
  }

  @RpcHandler('playlists.playlist.delete')
  delete(req: RpcRequest<'playlists.playlist.delete'>): RpcReply<'playlists.playlist.delete'> {
    return this.playlists.delete(req);
  }

  @RpcHandler('playlists.playlist.cover.set')
  setCover(req: RpcRequest<'playlists.playlist.cover.set'>): RpcReply<'playlists.playlist.cover.set'> {
    return this.covers.set(req);
  }

  @RpcHandler('playlists.playlist.getMany')
  getMany(req: RpcRequest<'playlists.playlist.getMany'>): RpcReply<'playlists.playlist.getMany'> {
    return this.playlists.getMany(req.ids);
  }

  @RpcHandler('playlists.playlist.songIds')
  songIds(req: RpcRequest<'playlists.playlist.songIds'>): RpcReply<'playlists.playlist.songIds'> {
    return this.playlists.songIds(req.id);
  }
}
