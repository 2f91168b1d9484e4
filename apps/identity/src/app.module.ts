import { Module } from '@nestjs/common';
import { AuthRpcController } from './auth/auth.rpc-controller.js';
import { AuthService } from './auth/auth.service.js';
import { LoginThrottle } from './auth/login-throttle.service.js';
import { RefreshTokens } from './auth/refresh-tokens.service.js';
import { AvatarsRpcController } from './avatars/avatars.rpc-controller.js';
import { AvatarsService } from './avatars/avatars.service.js';
import { UserPresenter } from './users/user.presenter.js';
import { UsersRpcController } from './users/users.rpc-controller.js';
import { UsersService } from './users/users.service.js';

/**
 * The identity service's handlers and their collaborators. The database, NATS, the
 * object store, the outbox and the configuration come from the platform runtime
 * (`startService`), which also answers `identity.health.ping`.
 */
@Module({
  controllers: [AuthRpcController, UsersRpcController, AvatarsRpcController],
  providers: [LoginThrottle, RefreshTokens, AuthService, UserPresenter, UsersService, AvatarsService],
})
export class IdentityModule {}
