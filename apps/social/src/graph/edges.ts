import type { SqlEntityManager as EntityManager } from '@mikro-orm/postgresql';
import type { SocialRemovalReason } from '@octave/contracts';
import type { Outbox } from '@octave/platform/events';

interface RemovedFriendship {
  id: number;
  user_id: number;
  friend_id: number;
  status: 'pending' | 'accepted';
}
interface RemovedFollow {
  follower_id: number;
  followee_id: number;
}
interface RemovedBlock {
  blocker_id: number;
  blocked_id: number;
}

/**
 * Deletes the friendship or request and the follows, both ways, between two users (a
 * block does this), and records a `…removed` event for each edge that existed: a
 * pending request was never counted, so it goes silently. Call it inside the pair's
 * transaction, after `lockPair`.
 */
export async function removeEdgesBetween(
  tx: EntityManager,
  outbox: Outbox<'social'>,
  a: number,
  b: number,
  reason: SocialRemovalReason,
): Promise<void> {
  const friendships = await tx.execute<RemovedFriendship[]>(
    `DELETE FROM social.friendships
     WHERE least(user_id, friend_id) = least(?::int, ?::int) AND greatest(user_id, friend_id) = greatest(?::int, ?::int)
     RETURNING id, user_id, friend_id, status`,
    [a, b, a, b],
  );
  const follows = await tx.execute<RemovedFollow[]>(
    `DELETE FROM social.follows WHERE (follower_id = ? AND followee_id = ?) OR (follower_id = ? AND followee_id = ?)
     RETURNING follower_id, followee_id`,
    [a, b, b, a],
  );
  await announce(tx, outbox, { friendships, follows, blocks: [] }, reason);
}

/**
 * Deletes every edge of a user (the account is gone): friendships and requests,
 * follows and blocks, either side, each announced as removed so the other users'
 * counters go down.
 */
export async function removeEdgesOf(
  tx: EntityManager,
  outbox: Outbox<'social'>,
  userId: number,
  reason: SocialRemovalReason,
): Promise<void> {
  const friendships = await tx.execute<RemovedFriendship[]>(
    'DELETE FROM social.friendships WHERE user_id = ? OR friend_id = ? RETURNING id, user_id, friend_id, status',
    [userId, userId],
  );
  const follows = await tx.execute<RemovedFollow[]>(
    'DELETE FROM social.follows WHERE follower_id = ? OR followee_id = ? RETURNING follower_id, followee_id',
    [userId, userId],
  );
  const blocks = await tx.execute<RemovedBlock[]>(
    'DELETE FROM social.blocks WHERE blocker_id = ? OR blocked_id = ? RETURNING blocker_id, blocked_id',
    [userId, userId],
  );
  await announce(tx, outbox, { friendships, follows, blocks }, reason);
}

async function announce(
  tx: EntityManager,
  outbox: Outbox<'social'>,
  removed: { friendships: RemovedFriendship[]; follows: RemovedFollow[]; blocks: RemovedBlock[] },
  reason: SocialRemovalReason,
): Promise<void> {
  for (const f of removed.friendships) {
    if (f.status !== 'accepted') continue;
    await outbox.record(tx, 'friendship.removed', {
      friendshipId: f.id,
      requesterId: f.user_id,
      addresseeId: f.friend_id,
      reason,
    });
  }
  for (const f of removed.follows) {
    await outbox.record(tx, 'follow.removed', { followerId: f.follower_id, followeeId: f.followee_id, reason });
  }
  for (const b of removed.blocks) {
    await outbox.record(tx, 'block.removed', { blockerId: b.blocker_id, blockedId: b.blocked_id, reason });
  }
}

/** Whether `a` and `b` block each other, and which way. */
export async function blockBetween(
  em: EntityManager,
  a: number,
  b: number,
): Promise<{ blocked: boolean; userBlocksOther: boolean; otherBlocksUser: boolean }> {
  const rows = await em.execute<{ blocker_id: number }[]>(
    'SELECT blocker_id FROM social.blocks WHERE (blocker_id = ? AND blocked_id = ?) OR (blocker_id = ? AND blocked_id = ?)',
    [a, b, b, a],
  );
  const userBlocksOther = rows.some((r) => r.blocker_id === a);
  const otherBlocksUser = rows.some((r) => r.blocker_id === b);
  return { blocked: userBlocksOther || otherBlocksUser, userBlocksOther, otherBlocksUser };
}
