import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Actor, SocialErrorCode } from '@octave/contracts';
import type { RpcCallError } from '@octave/platform/bus';
import { rejection } from '@octave/platform/testing';
import { startSocialHarness, type SocialHarness } from '../testing/social-harness.js';

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
      // Users social has not heard of yet (their registration events still on the way, as
      // under load): every call of both sides records them as it goes, at the same moment.
      const newUser = () => h.addUser({ announce: false });
      const pairs = await Promise.all(Array.from({ length: 10 }, async () => [await newUser(), await newUser()] as const));
      const outcomes = await Promise.allSettled(
        pairs.flatMap(([a, b]) => [follow(a, b), request(a, b), block(b, a), follow(b, a), request(b, a)]),
      );
      // A block conflicts with nothing: each one takes effect, whatever raced with it. The
      // others either came first or are refused because of it (403), never failed (500).
      expect(outcomes.filter((o, i) => i % 5 === 2 && o.status === 'rejected')).toEqual([]);
      const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as RpcCallError] : []));
      expect(refusals.filter((e) => e.code !== SocialErrorCode.Blocked).map((e) => `${e.status} ${e.code}: ${e.message}`)).toEqual([]);
      for (const [a, b] of pairs) {
        expect(await h.rpc.call('social.block.check', { userId: b.id, otherUserId: a.id })).toMatchObject({ userBlocksOther: true });
        expect(await following(a)).toEqual([]);
        expect(await following(b)).toEqual([]);
        expect(await h.rpc.call('social.friends.ids', { userId: a.id })).toEqual({ ids: [] });
        const pending = await h.rpc.call('social.friendRequest.list', { actor: b, direction: 'incoming', limit: 10 });
        expect(pending.items).toEqual([]);
      }
    });

    it('fails neither side when both act on each other while one is being recorded', async () => {
      // Backends of this database waiting for a lock, until there are `n`.
      const lockWaiters = async (n: number) => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const [{ waiting }] = await h.service.orm.em.fork().execute<{ waiting: number }[]>(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          if (waiting >= n) return;
          if (Date.now() > deadline) throw new Error(`${waiting} of ${n} calls waiting for a lock`);
          await sleep(10);
        }
      };
      // Several rounds: which call goes first once the row is free is up to the scheduler.
      for (let round = 0; round < 8; round++) {
        const [a, b] = [await h.addUser({ announce: false }), await h.addUser({ announce: false })];
        // A transaction is recording a (as the handler of its registration event does) and
        // will roll back (as that handler does when it fails): a's row is not committed.
        let rollBack!: () => void;
        const failing = new Promise<void>((resolve) => (rollBack = resolve));
        let inserted!: () => void;
        const rowInserted = new Promise<void>((resolve) => (inserted = resolve));
        const registration = h.service.orm.em
          .fork()
          .transactional(async (tx) => {
            await tx.execute('INSERT INTO social.users (id) VALUES (?)', [a.id]);
            inserted();
            await failing;
            throw new Error('handler failed');
          })
          .catch(() => undefined);
        await rowInserted;
        // Both calls record the two users they have not seen, and wait for a's row.
        const followed = follow(a, b).then(() => 'followed', (e: RpcCallError) => e.code);
        await lockWaiters(1);
        const blocked = block(b, a).then(() => 'blocked', (e: RpcCallError) => `${e.code}: ${e.message}`);
        await lockWaiters(2);
        rollBack();
        await registration;
        // The follow came first (and was removed by the block) or was refused after it.
        expect([await followed, await blocked]).toEqual([expect.stringMatching(new RegExp(`^(followed|${SocialErrorCode.Blocked})$`)), 'blocked']);
        expect(await following(a)).toEqual([]);
      }
    });
  });
});
