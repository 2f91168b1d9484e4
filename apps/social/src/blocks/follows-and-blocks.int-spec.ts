import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Actor, SocialErrorCode } from '@octave/contracts';
import { rejection, startSocialHarness, type SocialHarness } from '../testing/social-harness.js';

describe('follows and blocks (RPC)', () => {
  let h: SocialHarness;
  const follow = (a: Actor, b: Actor | number) =>
    h.rpc.call('social.follow.create', { actor: a, userId: typeof b === 'number' ? b : b.id });
  const unfollow = (a: Actor, b: Actor) => h.rpc.call('social.follow.remove', { actor: a, userId: b.id });
  const block = (a: Actor, b: Actor | number) =>
    h.rpc.call('social.block.create', { actor: a, userId: typeof b === 'number' ? b : b.id });
  const unblock = (a: Actor, b: Actor) => h.rpc.call('social.block.remove', { actor: a, userId: b.id });
  const request = (a: Actor, b: Actor) => h.rpc.call('social.friendRequest.create', { actor: a, userId: b.id });
  const following = async (a: Actor) =>
    (await h.rpc.call('social.follow.listFollowing', { actor: a, userId: a.id, limit: 100 })).items.map((u) => u.id);
  const followers = async (a: Actor) =>
    (await h.rpc.call('social.follow.listFollowers', { actor: a, userId: a.id, limit: 100 })).items.map((u) => u.id);

  beforeAll(async () => {
    h = await startSocialHarness('social_follows_blocks');
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe('follows', () => {
    it('follow and unfollow are idempotent: each change is announced once', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      await expect(follow(a, b)).resolves.toEqual({ ok: true });
      await expect(follow(a, b)).resolves.toEqual({ ok: true });
      expect(await following(a)).toEqual([b.id]);
      expect(await followers(b)).toEqual([a.id]);
      expect(await followers(a)).toEqual([]);
      await expect(unfollow(a, b)).resolves.toEqual({ ok: true });
      await expect(unfollow(a, b)).resolves.toEqual({ ok: true });
      expect(await following(a)).toEqual([]);
      expect(await h.events(a.id, b.id)).toEqual([
        { type: 'follow.created', data: { followerId: a.id, followeeId: b.id } },
        { type: 'follow.removed', data: { followerId: a.id, followeeId: b.id, reason: 'removed' } },
      ]);
    });

    it('parallel follows of the same user make one follow and one event', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      await Promise.all(Array.from({ length: 5 }, () => follow(a, b)));
      expect(await h.events(a.id, b.id)).toHaveLength(1);
    });

    it('rejects following oneself (400) and unknown users (404)', async () => {
      const a = await h.addUser();
      expect(await rejection(follow(a, a))).toMatchObject({ status: 400, code: SocialErrorCode.CannotTargetSelf });
      expect(await rejection(follow(a, 999_999))).toMatchObject({ status: 404, code: SocialErrorCode.UserNotFound });
      expect(await rejection(h.rpc.call('social.follow.remove', { actor: a, userId: 999_999 }))).toMatchObject({ status: 404 });
      expect(
        await rejection(h.rpc.call('social.follow.listFollowers', { actor: a, userId: 999_999, limit: 10 })),
      ).toMatchObject({ status: 404 });
    });

    it('lists following and followers most recent first, page by page', async () => {
      const star = await h.addUser();
      const fans = [await h.addUser(), await h.addUser(), await h.addUser()];
      for (const f of fans) await follow(f, star);
      const first = await h.rpc.call('social.follow.listFollowers', { actor: star, userId: star.id, limit: 2 });
      expect(first.items.map((u) => u.id)).toEqual([fans[2].id, fans[1].id]);
      expect(first.items[0]).toMatchObject({ id: fans[2].id, username: fans[2].username });
      const second = await h.rpc.call('social.follow.listFollowers', {
        actor: star,
        userId: star.id,
        limit: 2,
        cursor: first.nextCursor!,
      });
      expect(second.items.map((u) => u.id)).toEqual([fans[0].id]);
      expect(second.nextCursor).toBeNull();
      expect(await following(fans[0])).toEqual([star.id]);
    });
  });

  describe('blocks', () => {
    it('removes the friendship and the follows both ways, and announces each removal', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      const { id } = await request(a, b);
      await request(b, a);
      await follow(a, b);
      await follow(b, a);
      await expect(block(b, a)).resolves.toEqual({ ok: true });
      expect(await h.rpc.call('social.friends.ids', { userId: a.id })).toEqual({ ids: [] });
      expect(await following(a)).toEqual([]);
      expect(await following(b)).toEqual([]);
      const events = await h.events(a.id, b.id);
      expect(events.slice(-4)).toEqual([
        { type: 'friendship.removed', data: { friendshipId: id, requesterId: a.id, addresseeId: b.id, reason: 'blocked' } },
        expect.objectContaining({ type: 'follow.removed', data: expect.objectContaining({ reason: 'blocked' }) }),
        expect.objectContaining({ type: 'follow.removed', data: expect.objectContaining({ reason: 'blocked' }) }),
        { type: 'block.created', data: { blockerId: b.id, blockedId: a.id } },
      ]);
      // Blocking again changes nothing.
      await block(b, a);
      expect(await h.events(a.id, b.id)).toHaveLength(events.length);
    });

    it('removes pending requests silently (they were never counted)', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      const { id } = await request(a, b);
      await block(a, b);
      expect(await h.events(a.id, b.id)).toEqual([{ type: 'block.created', data: { blockerId: a.id, blockedId: b.id } }]);
      expect(await rejection(h.rpc.call('social.friendRequest.accept', { actor: b, requestId: id }))).toMatchObject({
        status: 404,
      });
    });

    it('forbids requests and follows either way (403) until lifted', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      await block(a, b);
      for (const [x, y] of [[a, b], [b, a]] as const) {
        expect(await rejection(request(x, y))).toMatchObject({ status: 403, code: SocialErrorCode.Blocked });
        expect(await rejection(follow(x, y))).toMatchObject({ status: 403, code: SocialErrorCode.Blocked });
      }
      // Only the blocker can lift their block; the blocked user's "unblock" changes nothing.
      await unblock(b, a);
      expect(await rejection(follow(b, a))).toMatchObject({ status: 403 });
      await unblock(a, b);
      await unblock(a, b);
      await expect(follow(b, a)).resolves.toEqual({ ok: true });
      await expect(request(a, b)).resolves.toMatchObject({ status: 'pending' });
      expect((await h.events(a.id, b.id)).map((e) => e.type)).toEqual(['block.created', 'block.removed', 'follow.created']);
    });

    it('keeps the other block when both blocked and one lifts theirs', async () => {
      const [a, b] = [await h.addUser(), await h.addUser()];
      await block(a, b);
      await block(b, a);
      await unblock(a, b);
      expect(await h.rpc.call('social.block.check', { userId: a.id, otherUserId: b.id })).toEqual({
        blocked: true,
        userBlocksOther: false,
        otherBlocksUser: true,
      });
      expect(await rejection(follow(a, b))).toMatchObject({ status: 403 });
    });

    it('social.block.check tells which way a block goes', async () => {
      const [host, guest, other] = [await h.addUser(), await h.addUser(), await h.addUser()];
      await block(host, guest);
      expect(await h.rpc.call('social.block.check', { userId: host.id, otherUserId: guest.id })).toEqual({
        blocked: true,
        userBlocksOther: true,
        otherBlocksUser: false,
      });
      expect(await h.rpc.call('social.block.check', { userId: guest.id, otherUserId: host.id })).toEqual({
        blocked: true,
        userBlocksOther: false,
        otherBlocksUser: true,
      });
      expect(await h.rpc.call('social.block.check', { userId: host.id, otherUserId: other.id })).toEqual({
        blocked: false,
        userBlocksOther: false,
        otherBlocksUser: false,
      });
    });

    it('rejects blocking oneself (400) and unknown users (404)', async () => {
      const a = await h.addUser();
      expect(await rejection(block(a, a))).toMatchObject({ status: 400, code: SocialErrorCode.CannotTargetSelf });
      expect(await rejection(block(a, 999_999))).toMatchObject({ status: 404, code: SocialErrorCode.UserNotFound });
    });

    it('never leaves a follow or a friendship beside a block that raced with it', async () => {
      const pairs = await Promise.all(Array.from({ length: 10 }, async () => [await h.addUser(), await h.addUser()] as const));
      await Promise.allSettled(
        pairs.flatMap(([a, b]) => [follow(a, b), request(a, b), block(b, a), follow(b, a), request(b, a)]),
      );
      for (const [a, b] of pairs) {
        expect(await following(a)).toEqual([]);
        expect(await following(b)).toEqual([]);
        expect(await h.rpc.call('social.friends.ids', { userId: a.id })).toEqual({ ids: [] });
        const pending = await h.rpc.call('social.friendRequest.list', { actor: b, direction: 'incoming', limit: 10 });
        expect(pending.items).toEqual([]);
      }
    });
  });
});
