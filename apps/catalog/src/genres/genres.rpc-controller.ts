import { Controller } from '@nestjs/common';
import type { RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import type { RpcReply } from '../rpc-reply.js';
import { GenresService } from './genres.service.js';

@Controller()
export class GenresRpcController {
  constructor(private readonly genres: GenresService) {}

  @RpcHandler('catalog.genre.list')
  list(): RpcReply<'catalog.genre.list'> {
    return this.genres.list();
  }

  @RpcHandler('catalog.genre.create')
  create(req: RpcRequest<'catalog.genre.create'>): RpcReply<'catalog.genre.create'> {
    return this.genres.create(req.name);
  }
}
