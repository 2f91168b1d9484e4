import { createParamDecorator, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import type { Actor } from '@octave/contracts';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type AccessTokenClaims, claimsToActor, JWT_ALGORITHMS, JWT_AUDIENCE, JWT_ISSUER, verificationKey } from './tokens.js';

/** Injection token of the secret the gateway verifies access tokens with. */
export const JWT_SECRET = Symbol('JWT_SECRET');

/** Bearer access tokens, verified with passport-jwt (HS256 only). */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(secret: string) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken as is; its types predate KeyObject.
      secretOrKey: verificationKey(secret) as unknown as string,
      algorithms: JWT_ALGORITHMS,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(claims: Partial<AccessTokenClaims>): Actor | false {
    return claimsToActor(claims) ?? false;
  }
}

const IS_PUBLIC = 'octave:public';
/** Routes anyone may call without a token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Global guard: every route needs a valid access token unless marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic ? true : super.canActivate(context);
  }
}

/** The authenticated caller of an HTTP route. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<{ user: Actor }>().user;
});
