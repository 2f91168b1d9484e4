import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Actor, type FriendRequestDto, SocialErrorCode } from '@octave/contracts';
import { rejection } from '@octave/platform/testing';
import { startSocialHarness, type SocialHarness } from '../testing/social-harness.js';

describe('friend requests and friendships (RPC)', () => {
  let h: SocialHarness;
  const request = (from: Actor, to: Actor | number) =>
    h.rpc.call('social.friendRequest.create', { actor: from, userId: typeof to === 'number' ? to : to.id });
  const rowsOfPair = (a: Actor, b: Actor) =>
    h.service.orm.em
      .fork()
      .execute<{ id: number; status: string }[]>(
        'SELECT id, status FROM social.friendships WHERE least(user_id, friend_id) = ? AND greatest(user_id, friend_id) = ?',
        [Math.min(a.id, b.id), Math.max(a.id, b.id)],
      );
  const friendsOf = async (a: Actor) => (await h.rpc.call('social.friends.ids', { userId: a.id })).ids;

  beforeAll(async () => {
    h = await startSocialHarness('social_friendships');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('social.health.ping reports the database', async () => {
    await expect(h.rpc.call('social.health.ping', {})).resolves.toEqual({
      service: 'social',
      status: 'up',
      checks: { database: { status: 'up' }, nats: { status: 'up' } },
    });
  });

  describe('social.friendRequest.create', () => {
    it('creates a pending request with both profiles', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      const created = await request(a, b);
      expect(created).toEqual({
        id: expect.any(Number),
        requester: expect.objectContaining({ id: a.id, username: a.username }),
        addressee: expect.objectContaining({ id: b.id, username: b.username }),
        status: 'pending',
        createdAt: expect.stringMatching(/Z$/),
      });
      // A pending request is not a friendship: nothing to count yet.
      expect(await h.events(a.id, b.id)).toEqual([]);
    });

    it('knows users whose registration event it never saw, by asking identity', async () => {
      const [a, b] = [await h.addUser({ announce: false }), await h.addUser({ announce: false })];
      await expect(request(a, b)).resolves.toMatchObject({ status: 'pending' });
    });

    it('rejects a request to oneself (400), to an unknown user (404) and a second one (409)', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      expect(await rejection(request(a, a))).toMatchObject({ status: 400, code: SocialErrorCode.CannotTargetSelf });
      expect(await rejection(request(a, 999_999))).toMatchObject({ status: 404, code: SocialErrorCode.UserNotFound });
      await request(a, b);
      expect(await rejection(request(a, b))).toMatchObject({ status: 409, code: SocialErrorCode.FriendRequestExists });
      expect(await rowsOfPair(a, b)).toHaveLength(1);
    });

    it('accepts the other side\'s pending request instead of making a second one', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      const first = await request(a, b);
      const crossing = await request(b, a);
      expect(crossing).toMatchObject({ id: first.id, status: 'accepted', requester: { id: a.id }, addressee: { id: b.id } });
      expect(crossing.createdAt).toBe(first.createdAt);
      expect(await rowsOfPair(a, b)).toEqual([{ id: first.id, status: 'accepted' }]);
      expect(await h.events(a.id, b.id)).toEqual([
        { type: 'friendship.accepted', data: { friendshipId: first.id, requesterId: a.id, addresseeId: b.id } },
      ]);
      // Friends now: asking again, either way, is a conflict.
      expect(await rejection(request(a, b))).toMatchObject({ status: 409, code: SocialErrorCode.AlreadyFriends });
      expect(await rejection(request(b, a))).toMatchObject({ status: 409, code: SocialErrorCode.AlreadyFriends });
    });

    it('ends parallel crossing requests in exactly one friendship, for every pair', async () => {
      const pairs = await Promise.all(Array.from({ length: 10 }, async () => [await h.addUser(), await h.addUser()] as const));
      const answers = await Promise.all(pairs.map(([a, b]) => Promise.all([request(a, b), request(b, a)])));
      for (const [i, [a, b]] of pairs.entries()) {
        const statuses = answers[i].map((r) => r.status).sort();
        expect(statuses).toEqual(['accepted', 'pending']);
        expect(new Set(answers[i].map((r) => r.id)).size).toBe(1);
        expect(await rowsOfPair(a, b)).toEqual([{ id: answers[i][0].id, status: 'accepted' }]);
        expect((await h.events(a.id, b.id)).map((e) => e.type)).toEqual(['friendship.accepted']);
      }
    });

    it('lets only one of two parallel requests in the same direction through', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      const results = await Promise.allSettled([request(a, b), request(a, b), request(a, b)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 409, code: SocialErrorCode.FriendRequestExists });
      }
      expect(await rowsOfPair(a, b)).toHaveLength(1);
    });
  });

  describe('answering requests', () => {
    it('accept: only the addressee, once', async () => {
      const [a, b, c] = [await h.addUser(), await h.addUser(), await h.addUser()];
      const { id } = await request(a, b);
      expect(await rejection(h.rpc.call('social.friendRequest.accept', { actor: a, requestId: id }))).toMatchObject({
        status: 403,
        code: SocialErrorCode.NotRequestAddressee,
      });
      // Someone else's request is not shown to a third user.
      expect(await rejection(h.rpc.call('social.friendRequest.accept', { actor: c, requestId: id }))).toMatchObject({
        status: 404,
        code: SocialErrorCode.FriendRequestNotFound,
      });
      expect(await rejection(h.rpc.call('social.friendRequest.accept', { actor: b, requestId: 999_999 }))).toMatchObject({
        status: 404,
      });
      const accepted = await h.rpc.call('social.friendRequest.accept', { actor: b, requestId: id });
      expect(accepted).toMatchObject({ id, status: 'accepted', requester: { id: a.id }, addressee: { id: b.id } });
      expect(await rejection(h.rpc.call('social.friendRequest.accept', { actor: b, requestId: id }))).toMatchObject({
        status: 409,
        code: SocialErrorCode.FriendRequestNotPending,
      });
      expect(await friendsOf(a)).toEqual([b.id]);
      expect(await friendsOf(b)).toEqual([a.id]);
      expect((await h.events(a.id)).map((e) => e.type)).toEqual(['friendship.accepted']);
    });

    it('decline: only the addressee; the request is gone and may be made again', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      const { id } = await request(a, b);
      expect(await rejection(h.rpc.call('social.friendRequest.decline', { actor: a, requestId: id }))).toMatchObject({
        status: 403,
      });
      await expect(h.rpc.call('social.friendRequest.decline', { actor: b, requestId: id })).resolves.toEqual({ ok: true });
      expect(await rowsOfPair(a, b)).toEqual([]);
      expect(await rejection(h.rpc.call('social.friendRequest.decline', { actor: b, requestId: id }))).toMatchObject({
        status: 404,
      });
      await expect(request(a, b)).resolves.toMatchObject({ status: 'pending' });
    });

    it('cancel: only the requester, only while pending', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      const { id } = await request(a, b);
      expect(await rejection(h.rpc.call('social.friendRequest.cancel', { actor: b, requestId: id }))).toMatchObject({
        status: 403,
        code: SocialErrorCode.NotRequestRequester,
      });
      await expect(h.rpc.call('social.friendRequest.cancel', { actor: a, requestId: id })).resolves.toEqual({ ok: true });
      expect(await rowsOfPair(a, b)).toEqual([]);

      const again = await request(a, b);
      await h.rpc.call('social.friendRequest.accept', { actor: b, requestId: again.id });
      expect(await rejection(h.rpc.call('social.friendRequest.cancel', { actor: a, requestId: again.id }))).toMatchObject({
        status: 409,
      });
      expect(await rejection(h.rpc.call('social.friendRequest.decline', { actor: b, requestId: again.id }))).toMatchObject({
        status: 409,
      });
    });

    it('lists pending requests by direction, newest first, page by page', async () => {
      const [me, x, y, z, w] = [await h.addUser(), await h.addUser(), await h.addUser(), await h.addUser(), await h.addUser()];
      const r1 = await request(x, me);
      const r2 = await request(y, me);
      const r3 = await request(z, me);
      const mine = await request(me, w);
      const accepted = await request(await h.addUser(), me);
      await h.rpc.call('social.friendRequest.accept', { actor: me, requestId: accepted.id });

      const seen: FriendRequestDto[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 5; pages++) {
        const page = await h.rpc.call('social.friendRequest.list', {
          actor: me,
          direction: 'incoming',
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen.map((r) => r.id)).toEqual([r3.id, r2.id, r1.id]);
      expect(seen[0]).toEqual(r3);

      const outgoing = await h.rpc.call('social.friendRequest.list', { actor: me, direction: 'outgoing', limit: 20 });
      expect(outgoing).toEqual({ items: [mine], nextCursor: null });

      expect(
        await rejection(h.rpc.call('social.friendRequest.list', { actor: me, direction: 'incoming', limit: 2, cursor: 'nope' })),
      ).toMatchObject({ status: 400 });
    });
  });

  describe('friends', () => {
    it('unfriends (both counts go down), and 404 when not friends', async () => {
      const [a, b, c] = [await h.addUser(), await h.addUser(), await h.addUser()];
      const { id } = await request(a, b);
      await request(b, a);
      await request(a, c); // pending only
      await expect(h.rpc.call('social.friends.remove', { actor: b, userId: a.id })).resolves.toEqual({ ok: true });
      expect(await rowsOfPair(a, b)).toEqual([]);
      expect(await h.events(a.id, b.id)).toEqual([
        { type: 'friendship.accepted', data: { friendshipId: id, requesterId: a.id, addresseeId: b.id } },
        { type: 'friendship.removed', data: { friendshipId: id, requesterId: a.id, addresseeId: b.id, reason: 'removed' } },
      ]);
      for (const [actor, other] of [[b, a], [a, c], [a, 999_999]] as const) {
        expect(await rejection(h.rpc.call('social.friends.remove', { actor, userId: typeof other === 'number' ? other : other.id })))
          .toMatchObject({ status: 404, code: SocialErrorCode.NotFriends });
      }
    });

    it('lists a user\'s friends as profiles, most recent first, page by page', async () => {
      const me = await h.addUser();
      const friends = [await h.addUser(), await h.addUser(), await h.addUser()];
      for (const f of friends) {
        await request(f, me);
        await request(me, f);
      }
      const first = await h.rpc.call('social.friends.list', { actor: me, userId: me.id, limit: 2 });
      expect(first.items.map((u) => u.id)).toEqual([friends[2].id, friends[1].id]);
      expect(first.items[0]).toMatchObject({ username: friends[2].username, friendsCount: expect.any(Number) });
      const second = await h.rpc.call('social.friends.list', { actor: me, userId: me.id, limit: 2, cursor: first.nextCursor! });
      expect(second).toEqual({ items: [expect.objectContaining({ id: friends[0].id })], nextCursor: null });
      // Anyone may look; an unknown user is 404.
      const other = await h.rpc.call('social.friends.list', { actor: friends[0], userId: friends[0].id, limit: 20 });
      expect(other.items.map((u) => u.id)).toEqual([me.id]);
      expect(await rejection(h.rpc.call('social.friends.list', { actor: me, userId: 999_999, limit: 20 }))).toMatchObject({
        status: 404,
      });
      expect(await friendsOf(me)).toEqual(friends.map((f) => f.id).sort((x, y) => x - y));
    });
  });
});
