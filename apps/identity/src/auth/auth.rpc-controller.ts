import { Controller } from '@nestjs/common';
import type { SessionDto, TokenPairDto, RpcRequest } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import { AuthService } from './auth.service.js';

@Controller()
export class AuthRpcController {
  constructor(private readonly auth: AuthService) {}

  @RpcHandler('identity.auth.register')
  register(req: RpcRequest<'identity.auth.register'>): Promise<SessionDto> {
    return this.auth.register(req);
  }

  @RpcHandler('identity.auth.login')
  login(req: RpcRequest<'identity.auth.login'>): Promise<SessionDto> {
    return this.auth.login(req);
  }

  @RpcHandler('identity.auth.refresh')
  refresh(req: RpcRequest<'identity.auth.refresh'>): Promise<TokenPairDto> {
    return this.auth.refresh(req);
  }

  @RpcHandler('identity.auth.logout')
  logout(req: RpcRequest<'identity.auth.logout'>): Promise<{ ok: true }> {
    return this.auth.logout(req);
  }
}
