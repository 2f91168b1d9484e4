import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SocialErrorCode } from '@octave/contracts';
import { rejection } from '@octave/platform/testing';
import { startSocialHarness, type SocialHarness } from '../testing/social-harness.js';

describe('identity user events', () => {
  let h: SocialHarness;

  beforeAll(async () => {
    h = await startSocialHarness('social_user_events');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('removes a deleted user from the graph and announces every edge it had', async () => {
    const [gone, friend, fan, idol, blocker, asker] = await Promise.all(Array.from({ length: 6 }, () => h.addUser()));
    const friendship = await h.rpc.call('social.friendRequest.create', { actor: gone, userId: friend.id });
    await h.rpc.call('social.friendRequest.accept', { actor: friend, requestId: friendship.id });
    await h.rpc.call('social.follow.create', { actor: fan, userId: gone.id });
    await h.rpc.call('social.follow.create', { actor: gone, userId: idol.id });
    await h.rpc.call('social.block.create', { actor: blocker, userId: gone.id });
    await h.rpc.call('social.friendRequest.create', { actor: asker, userId: gone.id });
    const before = (await h.events(gone.id)).length;

    await h.deleteUser(gone.id);
    await h.identityEventsHandled();

    const removals = (await h.events(gone.id)).slice(before);
    expect(removals).toEqual(
      expect.arrayContaining([
        {
          type: 'friendship.removed',
          data: { friendshipId: friendship.id, requesterId: gone.id, addresseeId: friend.id, reason: 'userDeleted' },
        },
        { type: 'follow.removed', data: { followerId: fan.id, followeeId: gone.id, reason: 'userDeleted' } },
        { type: 'follow.removed', data: { followerId: gone.id, followeeId: idol.id, reason: 'userDeleted' } },
        { type: 'block.removed', data: { blockerId: blocker.id, blockedId: gone.id, reason: 'userDeleted' } },
      ]),
    );
    // The pending request was never counted, so it goes without an event.
    expect(removals).toHaveLength(4);
    expect(await h.rpc.call('social.friends.ids', { userId: friend.id })).toEqual({ ids: [] });
    const incoming = await h.rpc.call('social.friendRequest.list', { actor: gone, direction: 'incoming', limit: 10 });
    expect(incoming.items).toEqual([]);
    const edges = await h.service.orm.em
      .fork()
      .execute<{ n: number }[]>(
        `SELECT (SELECT count(*) FROM social.friendships WHERE ? IN (user_id, friend_id))
              + (SELECT count(*) FROM social.follows WHERE ? IN (follower_id, followee_id))
              + (SELECT count(*) FROM social.blocks WHERE ? IN (blocker_id, blocked_id)) AS n`,
        [gone.id, gone.id, gone.id],
      );
    expect(Number(edges[0].n)).toBe(0);
  });

  it('answers 404 for a deleted user, and keeps it deleted', async () => {
    const [a, gone] = [await h.addUser(), await h.addUser()];
    await h.rpc.call('social.follow.create', { actor: a, userId: gone.id });
    await h.deleteUser(gone.id);
    await h.identityEventsHandled();
    expect(await rejection(h.rpc.call('social.follow.create', { actor: a, userId: gone.id }))).toMatchObject({
      status: 404,
      code: SocialErrorCode.UserNotFound,
    });
    expect(await rejection(h.rpc.call('social.block.create', { actor: a, userId: gone.id }))).toMatchObject({ status: 404 });
  });

  it('handles a redelivered deletion once', async () => {
    const [a, gone] = [await h.addUser(), await h.addUser()];
    await h.rpc.call('social.follow.create', { actor: a, userId: gone.id });
    await h.deleteUser(gone.id);
    await h.deleteUser(gone.id);
    await h.identityEventsHandled();
    expect((await h.events(gone.id)).map((e) => e.type)).toEqual(['follow.created', 'follow.removed']);
  });

  it('never leaves an edge of a user deleted while it was being made', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => h.addUser()));
    const target = await h.addUser();
    await Promise.allSettled([
      ...users.map((u) => h.rpc.call('social.follow.create', { actor: u, userId: target.id })),
      h.deleteUser(target.id),
    ]);
    await h.identityEventsHandled();
    const created = (await h.events(target.id)).filter((e) => e.type === 'follow.created').length;
    const removed = (await h.events(target.id)).filter((e) => e.type === 'follow.removed').length;
    expect(removed).toBe(created);
    const [row] = await h.service.orm.em
      .fork()
      .execute<{ n: string }[]>('SELECT count(*) AS n FROM social.follows WHERE followee_id = ?', [target.id]);
    expect(Number(row.n)).toBe(0);
  });
});
