import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdentityErrorCode } from '@octave/contracts';
import { verifyAccessToken } from '@octave/platform/auth';
import { rejection } from '@octave/platform/testing';
import { newUser, startIdentityHarness, type IdentityHarness } from '../testing/identity-harness.js';

describe('identity auth (RPC)', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await startIdentityHarness('identity_auth');
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe('identity.auth.register', () => {
    it('creates an account and a first login', async () => {
      const input = newUser('reg');
      const session = await h.rpc.call('identity.auth.register', input);
      expect(session.user).toMatchObject({
        username: input.username,
        email: input.email,
        avatarUrl: null,
        bio: null,
        friendsCount: 0,
        followingCount: 0,
        followersCount: 0,
      });
      expect(session.user.id).toBeGreaterThan(0);
      expect(new Date(session.user.createdAt).toISOString()).toBe(session.user.createdAt);
      expect(verifyAccessToken(session.accessToken, h.config.JWT_SECRET)).toEqual({
        id: session.user.id,
        username: input.username,
      });
      expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('stores usernames in lower case', async () => {
      const input = newUser('Mixed');
      const session = await h.rpc.call('identity.auth.register', input);
      expect(session.user.username).toBe(input.username.toLowerCase());
    });

    it('refuses a taken username or e-mail, whatever their case', async () => {
      const first = newUser('dup');
      await h.rpc.call('identity.auth.register', first);

      const sameName = await rejection(
        h.rpc.call('identity.auth.register', { ...newUser('other'), username: first.username.toUpperCase() }),
      );
      expect(sameName).toMatchObject({ status: 409, code: IdentityErrorCode.UsernameTaken });

      const sameEmail = await rejection(
        h.rpc.call('identity.auth.register', { ...newUser('other'), email: first.email.toUpperCase() }),
      );
      expect(sameEmail).toMatchObject({ status: 409, code: IdentityErrorCode.EmailTaken });
    });

    it('gives one account and one 409 to concurrent registrations of a name', async () => {
      const input = newUser('race');
      const results = await Promise.allSettled([
        h.rpc.call('identity.auth.register', input),
        h.rpc.call('identity.auth.register', { ...input, email: `x.${input.email}` }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed?.reason).toMatchObject({ status: 409, code: IdentityErrorCode.UsernameTaken });
    });

    it('validates every field at once', async () => {
      const err = await rejection(
        h.rpc.call('identity.auth.register', { username: 'a!', email: 'nope', password: 'short', client: { ip: '127.0.0.1' } }),
      );
      expect(err.status).toBe(400);
      expect(err.code).toBe(IdentityErrorCode.ValidationFailed);
      expect(err.details).toHaveLength(3);
    });
  });

  describe('identity.auth.login', () => {
    it('signs in by username or by e-mail, in any case', async () => {
      const input = newUser('login');
      const { user } = await h.rpc.call('identity.auth.register', input);
      const byName = await h.rpc.call('identity.auth.login', {
        login: input.username.toUpperCase(),
        password: input.password,
        client: { ip: '127.0.1.1' },
      });
      expect(byName.user).toEqual(user);
      const byEmail = await h.rpc.call('identity.auth.login', {
        login: input.email.toUpperCase(),
        password: input.password,
        client: { ip: '127.0.1.1' },
      });
      expect(byEmail.user.id).toBe(user.id);
      // Two logins, two families.
      expect(verifyAccessToken(byEmail.accessToken, h.config.JWT_SECRET)?.id).toBe(user.id);
      expect(byEmail.refreshToken).not.toBe(byName.refreshToken);
    });

    it('answers an unknown login exactly as a wrong password', async () => {
      const input = newUser('secret');
      await h.rpc.call('identity.auth.register', input);
      const wrongPassword = await rejection(
        h.rpc.call('identity.auth.login', { login: input.username, password: 'not the password', client: { ip: '127.0.1.2' } }),
      );
      const unknownUser = await rejection(
        h.rpc.call('identity.auth.login', { login: 'nobody_here', password: 'not the password', client: { ip: '127.0.1.2' } }),
      );
      expect(wrongPassword.status).toBe(401);
      expect(wrongPassword.toEnvelope()).toEqual(unknownUser.toEnvelope());
      expect(wrongPassword.message).toBe('invalid login or password');
    });

    it('takes about as long for an unknown login as for a wrong password', async () => {
      const input = newUser('timing');
      await h.rpc.call('identity.auth.register', input);
      const median = async (login: (i: number) => string, ipBase: string) => {
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const started = performance.now();
          await rejection(h.rpc.call('identity.auth.login', { login: login(i), password: 'wrong password', client: { ip: `${ipBase}.${i}` } }));
          times.push(performance.now() - started);
        }
        return times.sort((a, b) => a - b)[1];
      };
      const wrongPassword = await median(() => input.username, '127.0.6');
      const unknownLogin = await median((i) => `nobody_timing_${i}`, '127.0.7');
      // Without a stand-in hash an unknown login answers many times faster than argon2 verifies.
      expect(unknownLogin).toBeGreaterThan(wrongPassword * 0.3);
    });

    it('throttles an account after LOGIN_MAX_FAILURES failures, from any address', async () => {
      const input = newUser('throttle');
      await h.rpc.call('identity.auth.register', input);
      for (let i = 0; i < h.config.LOGIN_MAX_FAILURES; i++) {
        const err = await rejection(
          h.rpc.call('identity.auth.login', { login: input.username, password: 'wrong password', client: { ip: `127.0.2.${i}` } }),
        );
        expect(err.status).toBe(401);
      }
      // Even the right password is refused now, and the caller learns when to retry.
      const throttled = await rejection(
        h.rpc.call('identity.auth.login', { login: input.username, password: input.password, client: { ip: '127.0.2.99' } }),
      );
      expect(throttled).toMatchObject({ status: 429, code: IdentityErrorCode.LoginThrottled });
      expect(throttled.retryAfterSeconds).toBeGreaterThan(0);
      expect(throttled.retryAfterSeconds).toBeLessThanOrEqual(h.config.LOGIN_WINDOW_SECONDS);
    });

    it('throttles an address after LOGIN_MAX_FAILURES failures, whatever the account', async () => {
      const ip = '127.0.3.1';
      const victim = newUser('victim');
      await h.rpc.call('identity.auth.register', victim);
      for (let i = 0; i < h.config.LOGIN_MAX_FAILURES; i++) {
        await rejection(h.rpc.call('identity.auth.login', { login: `guess_${i}`, password: 'wrong password', client: { ip } }));
      }
      const throttled = await rejection(
        h.rpc.call('identity.auth.login', { login: victim.username, password: victim.password, client: { ip } }),
      );
      expect(throttled).toMatchObject({ status: 429, code: IdentityErrorCode.LoginThrottled });
      // The account itself is not blocked from elsewhere.
      await expect(
        h.rpc.call('identity.auth.login', { login: victim.username, password: victim.password, client: { ip: '127.0.3.2' } }),
      ).resolves.toMatchObject({ user: { username: victim.username } });
    });

    it('forgives an account its failures after a successful login', async () => {
      const input = newUser('forgive');
      await h.rpc.call('identity.auth.register', input);
      const fail = (ip: string) =>
        rejection(h.rpc.call('identity.auth.login', { login: input.username, password: 'wrong password', client: { ip } }));
      for (let i = 0; i < h.config.LOGIN_MAX_FAILURES - 1; i++) await fail(`127.0.4.${i}`);
      await h.rpc.call('identity.auth.login', { login: input.username, password: input.password, client: { ip: '127.0.4.50' } });
      for (let i = 0; i < h.config.LOGIN_MAX_FAILURES - 1; i++) {
        expect((await fail(`127.0.4.${100 + i}`)).status).toBe(401);
      }
    });
  });

  describe('identity.auth.refresh and logout', () => {
    it('rotates: each refresh token works once and yields a new pair for the same login', async () => {
      const session = await h.rpc.call('identity.auth.register', newUser('rotate'));
      const first = await h.rpc.call('identity.auth.refresh', { refreshToken: session.refreshToken });
      expect(first.refreshToken).not.toBe(session.refreshToken);
      const actor = verifyAccessToken(first.accessToken, h.config.JWT_SECRET);
      expect(actor).toEqual({ id: session.user.id, username: session.user.username });
      const second = await h.rpc.call('identity.auth.refresh', { refreshToken: first.refreshToken });
      expect(second.refreshToken).not.toBe(first.refreshToken);
    });

    it('revokes the whole login when a spent token comes back', async () => {
      const session = await h.rpc.call('identity.auth.register', newUser('reuse'));
      const rotated = await h.rpc.call('identity.auth.refresh', { refreshToken: session.refreshToken });

      const reused = await rejection(h.rpc.call('identity.auth.refresh', { refreshToken: session.refreshToken }));
      expect(reused).toMatchObject({ status: 401, code: IdentityErrorCode.RefreshTokenReused });
      // The legitimately rotated token belongs to the same login and is dead too.
      const after = await rejection(h.rpc.call('identity.auth.refresh', { refreshToken: rotated.refreshToken }));
      expect(after).toMatchObject({ status: 401, code: IdentityErrorCode.RefreshTokenReused });
    });

    it('lets exactly one of two concurrent refreshes with one token succeed', async () => {
      const session = await h.rpc.call('identity.auth.register', newUser('concurrent'));
      const results = await Promise.allSettled([
        h.rpc.call('identity.auth.refresh', { refreshToken: session.refreshToken }),
        h.rpc.call('identity.auth.refresh', { refreshToken: session.refreshToken }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed?.reason).toMatchObject({ status: 401, code: IdentityErrorCode.RefreshTokenReused });
    });

    it('refuses unknown tokens without touching any login', async () => {
      const err = await rejection(h.rpc.call('identity.auth.refresh', { refreshToken: 'no-such-token' }));
      expect(err).toMatchObject({ status: 401, code: IdentityErrorCode.InvalidRefreshToken });
    });

    it('logout revokes that login only', async () => {
      const input = newUser('logout');
      const first = await h.rpc.call('identity.auth.register', input);
      const second = await h.rpc.call('identity.auth.login', { login: input.username, password: input.password, client: { ip: '127.0.5.1' } });

      await expect(h.rpc.call('identity.auth.logout', { refreshToken: first.refreshToken })).resolves.toEqual({ ok: true });
      const err = await rejection(h.rpc.call('identity.auth.refresh', { refreshToken: first.refreshToken }));
      expect(err.status).toBe(401);
      await expect(h.rpc.call('identity.auth.refresh', { refreshToken: second.refreshToken })).resolves.toHaveProperty('accessToken');
      // Unknown tokens are ignored.
      await expect(h.rpc.call('identity.auth.logout', { refreshToken: 'unknown' })).resolves.toEqual({ ok: true });
    });

    it('expired tokens are invalid, not reuse', async () => {
      const session = await h.rpc.call('identity.auth.register', newUser('expired'));
      const client = await import('pg').then((m) => new m.default.Client({ connectionString: h.infra.db.url }));
      await client.connect();
      try {
        await client.query(`UPDATE identity.refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
          session.user.id,
        ]);
      } finally {
        await client.end();
      }
      const err = await rejection(h.rpc.call('identity.auth.refresh', { refreshToken: session.refreshToken }));
      expect(err).toMatchObject({ status: 401, code: IdentityErrorCode.InvalidRefreshToken });
    });
  });
});
