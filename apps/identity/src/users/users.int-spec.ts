import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdentityErrorCode, type IdentityEvents, type SessionDto } from '@octave/contracts';
import { rejection } from '@octave/platform/testing';
import { newUser, startIdentityHarness, uniqueName, waitForEvent, type IdentityHarness } from '../testing/identity-harness.js';

describe('identity users (RPC)', () => {
  let h: IdentityHarness;
  const register = (prefix: string, overrides: Partial<ReturnType<typeof newUser>> = {}): Promise<SessionDto> =>
    h.rpc.call('identity.auth.register', { ...newUser(prefix), ...overrides });
  const actorOf = (s: SessionDto) => ({ id: s.user.id, username: s.user.username });

  beforeAll(async () => {
    h = await startIdentityHarness('identity_users');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('identity.health.ping reports the database, NATS and the object store', async () => {
    await expect(h.rpc.call('identity.health.ping', {})).resolves.toEqual({
      service: 'identity',
      status: 'up',
      checks: { database: { status: 'up' }, nats: { status: 'up' }, objectStore: { status: 'up' } },
    });
  });

  describe('me', () => {
    it('identity.me.get returns the profile with the e-mail', async () => {
      const session = await register('me');
      await expect(h.rpc.call('identity.me.get', { actor: actorOf(session) })).resolves.toEqual(session.user);
    });

    it('identity.me.update changes username, e-mail and bio, and announces public changes', async () => {
      const session = await register('upd');
      const username = uniqueName('Renamed');
      const me = await h.rpc.call('identity.me.update', {
        actor: actorOf(session),
        username,
        email: `New.${session.user.email}`,
        bio: 'plays the oboe',
      });
      expect(me).toMatchObject({
        id: session.user.id,
        username: username.toLowerCase(),
        email: `New.${session.user.email}`,
        bio: 'plays the oboe',
        createdAt: session.user.createdAt,
      });
      await expect(h.rpc.call('identity.user.get', { id: session.user.id })).resolves.toMatchObject({
        username: username.toLowerCase(),
        bio: 'plays the oboe',
      });

      const event = await waitForEvent<IdentityEvents['user.updated']>(
        h.nc,
        'identity.events.user.updated',
        (e) => e.data.userId === session.user.id,
      );
      expect(event).toMatchObject({
        type: 'user.updated',
        version: 1,
        data: { userId: session.user.id, username: username.toLowerCase(), fields: ['username', 'bio'] },
      });

      // null clears the bio.
      await expect(h.rpc.call('identity.me.update', { actor: actorOf(session), bio: null })).resolves.toMatchObject({ bio: null });
    });

    it('refuses a username or e-mail that another account has (409)', async () => {
      const taken = await register('taken');
      const me = await register('wants');
      const byName = await rejection(
        h.rpc.call('identity.me.update', { actor: actorOf(me), username: taken.user.username.toUpperCase() }),
      );
      expect(byName).toMatchObject({ status: 409, code: IdentityErrorCode.UsernameTaken });
      const byEmail = await rejection(
        h.rpc.call('identity.me.update', { actor: actorOf(me), email: taken.user.email.toUpperCase() }),
      );
      expect(byEmail).toMatchObject({ status: 409, code: IdentityErrorCode.EmailTaken });
      // Nothing changed.
      await expect(h.rpc.call('identity.me.get', { actor: actorOf(me) })).resolves.toEqual(me.user);
    });

    it("keeps one's own username when only its case changes", async () => {
      const me = await register('same');
      await expect(
        h.rpc.call('identity.me.update', { actor: actorOf(me), username: me.user.username.toUpperCase() }),
      ).resolves.toMatchObject({ username: me.user.username });
    });

    it('validates the bio length', async () => {
      const me = await register('bio');
      await expect(h.rpc.call('identity.me.update', { actor: actorOf(me), bio: 'é'.repeat(500) })).resolves.toMatchObject({
        bio: 'é'.repeat(500),
      });
      const err = await rejection(h.rpc.call('identity.me.update', { actor: actorOf(me), bio: 'x'.repeat(501) }));
      expect(err).toMatchObject({ status: 400, code: IdentityErrorCode.ValidationFailed });
    });

    it('identity.me.delete needs the password, deletes the account and publishes user.deleted', async () => {
      const input = newUser('bye');
      const session = await h.rpc.call('identity.auth.register', input);
      const actor = actorOf(session);

      const wrong = await rejection(h.rpc.call('identity.me.delete', { actor, password: 'not my password' }));
      expect(wrong).toMatchObject({ status: 401, code: IdentityErrorCode.InvalidCredentials });
      await expect(h.rpc.call('identity.user.get', { id: actor.id })).resolves.toMatchObject({ id: actor.id });

      await expect(h.rpc.call('identity.me.delete', { actor, password: input.password })).resolves.toEqual({ ok: true });

      const gone = await rejection(h.rpc.call('identity.user.get', { id: actor.id }));
      expect(gone).toMatchObject({ status: 404, code: IdentityErrorCode.UserNotFound });
      // Its logins went with it.
      const refresh = await rejection(h.rpc.call('identity.auth.refresh', { refreshToken: session.refreshToken }));
      expect(refresh).toMatchObject({ status: 401, code: IdentityErrorCode.InvalidRefreshToken });
      const login = await rejection(
        h.rpc.call('identity.auth.login', { login: input.username, password: input.password, client: { ip: '127.0.9.1' } }),
      );
      expect(login.status).toBe(401);

      const event = await waitForEvent<IdentityEvents['user.deleted']>(
        h.nc,
        'identity.events.user.deleted',
        (e) => e.data.userId === actor.id,
      );
      expect(event).toMatchObject({ type: 'user.deleted', version: 1, data: { userId: actor.id } });
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('users', () => {
    it('identity.user.get returns the public profile, without the e-mail', async () => {
      const session = await register('pub');
      const { email: _email, ...profile } = session.user;
      await expect(h.rpc.call('identity.user.get', { id: session.user.id })).resolves.toEqual(profile);
      const missing = await rejection(h.rpc.call('identity.user.get', { id: 2_000_000_000 }));
      expect(missing).toMatchObject({ status: 404, code: IdentityErrorCode.UserNotFound, message: 'user 2000000000 not found' });
    });

    it('identity.user.getMany keeps the order asked and leaves unknown ids out', async () => {
      const a = await register('many');
      const b = await register('many');
      const c = await register('many');
      const users = await h.rpc.call('identity.user.getMany', { ids: [c.user.id, 999_999_999, a.user.id, b.user.id] });
      expect(users.map((u) => u.id)).toEqual([c.user.id, a.user.id, b.user.id]);
      expect(users[0]).not.toHaveProperty('email');
      await expect(h.rpc.call('identity.user.getMany', { ids: [] })).resolves.toEqual([]);
    });

    it('identity.user.search pages through a username prefix, case-insensitively, in order', async () => {
      const prefix = uniqueName('srch');
      const names = ['c', 'a', 'e', 'b', 'd'].map((s) => `${prefix}_${s}`);
      for (const username of names) await register('x', { username, email: `${username}@example.com` });
      // Not matched: a similar name where "_" would be a LIKE wildcard.
      await register('x', { username: `${prefix}x`, email: `${prefix}x@example.com` });

      const first = await h.rpc.call('identity.user.search', { search: `${prefix.toUpperCase()}_`, limit: 3 });
      expect(first.items.map((u) => u.username)).toEqual(names.slice().sort().slice(0, 3));
      expect(first.nextCursor).toEqual(expect.any(String));

      const second = await h.rpc.call('identity.user.search', {
        search: `${prefix}_`,
        limit: 3,
        cursor: first.nextCursor ?? undefined,
      });
      expect(second.items.map((u) => u.username)).toEqual(names.slice().sort().slice(3));
      expect(second.nextCursor).toBeNull();
    });

    it('identity.user.search says when a page is the last, even when it is full', async () => {
      const prefix = uniqueName('full');
      for (const s of ['a', 'b']) await register('x', { username: `${prefix}${s}`, email: `${prefix}${s}@example.com` });
      const page = await h.rpc.call('identity.user.search', { search: prefix, limit: 2 });
      expect(page.items).toHaveLength(2);
      expect(page.nextCursor).toBeNull();
    });

    it('identity.user.search refuses a bad cursor or limit', async () => {
      const cursor = await rejection(h.rpc.call('identity.user.search', { limit: 10, cursor: '%%%' }));
      expect(cursor).toMatchObject({ status: 400, code: IdentityErrorCode.ValidationFailed });
      const limit = await rejection(h.rpc.call('identity.user.search', { limit: 101 }));
      expect(limit.status).toBe(400);
    });
  });
});
