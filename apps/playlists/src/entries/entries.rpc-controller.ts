import { Controller } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import type { RpcReply } from '../rpc-reply.js';
import { EntriesService } from './entries.service.js';

@Controller()
export class EntriesRpcController {
  constructor(private readonly entries: EntriesService) {}

  @RpcHandler('playlists.entry.add')
  add(req: RpcRequest<'playlists.entry.add'>): RpcReply<'playlists.entry.add'> {
    return this.entries.add(req);
  }

  @RpcHandler('playlists.entry.move')
  move(req: RpcRequest<'playlists.entry.move'>): RpcReply<'playlists.entry.move'> {
    return this.entries.move(req);
  }

  @RpcHandler('playlists.entry.remove')
  remove(req: RpcRequest<'playlists.entry.remove'>): RpcReply<'playlists.entry.remove'> {
    return this.entries.remove(req);
  }
}
