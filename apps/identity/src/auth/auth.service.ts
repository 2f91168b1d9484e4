import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { EntityManager, raw } from '@mikro-orm/postgresql';
import type { RpcRequest, SessionDto, TokenPairDto } from '@octave/contracts';
import { signAccessToken } from '@octave/platform/auth';
import { Outbox } from '@octave/platform/events';
import { OUTBOX, SERVICE_CONFIG } from '@octave/platform/service';
import type { IdentityConfig } from '../config.js';
import { User } from '../users/user.entity.js';
import { UserPresenter } from '../users/user.presenter.js';
import { asUniqueUserConflict } from '../users/users.errors.js';
import {
  assertValid,
  emailProblems,
  normaliseUsername,
  PASSWORD_MAX,
  passwordProblems,
  usernameProblems,
} from '../users/user-validation.js';
import { invalidCredentials, invalidRefreshToken, refreshTokenReused } from './auth.errors.js';
import { LoginThrottle, throttleKeys } from './login-throttle.service.js';
import { hashPassword, dummyPasswordHash, verifyAgainstNothing, verifyPassword } from './passwords.js';
import { RefreshTokens } from './refresh-tokens.service.js';

@Injectable()
export class AuthService implements OnModuleInit {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'identity'>,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
    private readonly throttle: LoginThrottle,
    private readonly tokens: RefreshTokens,
    private readonly presenter: UserPresenter,
  ) {}

  /** Made at start, so even the first unknown login takes the usual time. */
  async onModuleInit(): Promise<void> {
    await dummyPasswordHash();
  }

  async register(req: RpcRequest<'identity.auth.register'>): Promise<SessionDto> {
    const username = typeof req.username === 'string' ? normaliseUsername(req.username) : req.username;
    assertValid([...usernameProblems(username), ...emailProblems(req.email), ...passwordProblems(req.password)]);
    const passwordHash = await hashPassword(req.password);
    try {
      const { user, familyId, refreshToken } = await this.em.transactional(async (tx) => {
        const user = tx.create(User, { username, email: req.email, passwordHash });
        await tx.flush();
        await this.outbox.record(tx, 'user.registered', { userId: user.id, username: user.username });
        return { user, ...(await this.tokens.issue(tx, user.id)) };
      });
      return { user: await this.presenter.me(user), accessToken: this.accessToken(user, familyId), refreshToken };
    } catch (err) {
      throw asUniqueUserConflict(err);
    }
  }

  async login(req: RpcRequest<'identity.auth.login'>): Promise<SessionDto> {
    const login = typeof req.login === 'string' ? req.login : '';
    const password = typeof req.password === 'string' ? req.password : '';
    const keys = throttleKeys(login, req.client?.ip ?? '');
    await this.throttle.assertAllowed(keys);

    const user = await this.findByLogin(login);
    // A password longer than any account can have is not worth hashing; it still counts as a failure.
    const ok =
      password.length > 0 && [...password].length <= PASSWORD_MAX
        ? user
          ? await verifyPassword(user.passwordHash, password)
          : await verifyAgainstNothing(password)
        : false;
    if (!user || !ok) {
      await this.throttle.recordFailure(keys);
      throw invalidCredentials();
    }

    await this.throttle.clearAccount(keys);
    const { familyId, refreshToken } = await this.em.transactional(async (tx) => {
      await this.tokens.deleteExpired(tx, user.id);
      return this.tokens.issue(tx, user.id);
    });
    return { user: await this.presenter.me(user), accessToken: this.accessToken(user, familyId), refreshToken };
  }

  async refresh(req: RpcRequest<'identity.auth.refresh'>): Promise<TokenPairDto> {
    const token = typeof req.refreshToken === 'string' ? req.refreshToken : '';
    const rotation = token ? await this.tokens.rotate(token) : null;
    if (!rotation) {
      const why = token ? await this.tokens.whyNotSpendable(token) : 'unknown';
      throw why === 'reused' ? refreshTokenReused() : invalidRefreshToken();
    }
    const user = await this.em.findOne(User, rotation.userId);
    // The account was deleted between the rotation and here; its tokens are gone with it.
    if (!user) throw invalidRefreshToken();
    return { accessToken: this.accessToken(user, rotation.familyId), refreshToken: rotation.refreshToken };
  }

  async logout(req: RpcRequest<'identity.auth.logout'>): Promise<{ ok: true }> {
    if (typeof req.refreshToken === 'string' && req.refreshToken) await this.tokens.revokeFamilyOf(req.refreshToken);
    return { ok: true };
  }

  /** `login` is an e-mail when it has an @ (usernames cannot), else a username. */
  private findByLogin(login: string): Promise<User | null> {
    if (!login) return Promise.resolve(null);
    const column = login.includes('@') ? 'email' : 'username';
    return this.em.findOne(User, { [raw(`lower(${column})`)]: login.toLowerCase() }, { populate: ['passwordHash'] });
  }

  private accessToken(user: User, familyId: string): string {
    return signAccessToken({ id: user.id, username: user.username }, familyId, this.config.JWT_SECRET, this.config.JWT_ACCESS_TTL);
  }
}
