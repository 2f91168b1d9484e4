import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtAuthGuard } from '@octave/platform/auth';

export const INVALID_TOKEN_MESSAGE = 'invalid or missing access token';

/**
 * The platform's global JWT guard, with one message for every token failure (missing,
 * malformed, tampered, expired, wrong algorithm): telling them apart helps attackers
 * more than clients.
 */
@Injectable()
export class GatewayAuthGuard extends JwtAuthGuard {
  override handleRequest<TUser>(err: unknown, user: TUser | false): TUser {
    if (err || !user) throw new UnauthorizedException(INVALID_TOKEN_MESSAGE);
    return user;
  }
}
