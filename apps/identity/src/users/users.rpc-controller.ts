import { Controller } from '@nestjs/common';
import type { MeDto, Page, UserDto, RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import { UsersService } from './users.service.js';

@Controller()
export class UsersRpcController {
  constructor(private readonly users: UsersService) {}

  @RpcHandler('identity.me.get')
  getMe(req: RpcRequest<'identity.me.get'>): Promise<MeDto> {
    return this.users.getMe(req.actor);
  }

  @RpcHandler('identity.me.update')
  updateMe(req: RpcRequest<'identity.me.update'>): Promise<MeDto> {
    return this.users.updateMe(req);
  }

  @RpcHandler('identity.me.delete')
  deleteMe(req: RpcRequest<'identity.me.delete'>): Promise<{ ok: true }> {
    return this.users.deleteMe(req);
  }

  @RpcHandler('identity.user.get')
  get(req: RpcRequest<'identity.user.get'>): Promise<UserDto> {
    return this.users.get(req.id);
  }

  @RpcHandler('identity.user.getMany')
  getMany(req: RpcRequest<'identity.user.getMany'>): Promise<UserDto[]> {
    return this.users.getMany(req.ids);
  }

  @RpcHandler('identity.user.search')
  search(req: RpcRequest<'identity.user.search'>): Promise<Page<UserDto>> {
    return this.users.search(req);
  }
}
