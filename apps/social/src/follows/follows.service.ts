import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Page, RpcRequest, UserDto } from '@octave/contracts';
import { Outbox } from '@octave/platform/events';
import { OUTBOX } from '@octave/platform/service';
import { afterCursor, microsColumn, pageOf } from '../graph/cursor.js';
import { blockBetween } from '../graph/edges.js';
import { blocked, cannotTargetSelf, userNotFound } from '../graph/errors.js';
import { lockPair } from '../graph/pair-lock.js';
import { assertValid } from '../graph/validation.js';
import { UsersDirectory } from '../users/users-directory.js';

/** One-way follows. Following twice or unfollowing twice changes (and announces) nothing. */
@Injectable()
export class FollowsService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'social'>,
    private readonly users: UsersDirectory,
  ) {}

  async follow(req: RpcRequest<'social.follow.create'>): Promise<{ ok: true }> {
    const { me, other } = await this.pair(req, 'follow');
    await this.em.transactional(async (tx) => {
      await lockPair(tx, me, other);
      await this.users.lockLive(tx, [me, other]);
      if ((await blockBetween(tx, me, other)).blocked) throw blocked();
      const [created] = await tx.execute<{ follower_id: number }[]>(
        `INSERT INTO social.follows (follower_id, followee_id) VALUES (?, ?)
         ON CONFLICT (follower_id, followee_id) DO NOTHING RETURNING follower_id`,
        [me, other],
      );
      if (created) await this.outbox.record(tx, 'follow.created', { followerId: me, followeeId: other });
    });
    return { ok: true };
  }

  async unfollow(req: RpcRequest<'social.follow.remove'>): Promise<{ ok: true }> {
    const { me, other } = await this.pair(req, 'unfollow');
    await this.em.transactional(async (tx) => {
      await lockPair(tx, me, other);
      const [removed] = await tx.execute<{ follower_id: number }[]>(
        'DELETE FROM social.follows WHERE follower_id = ? AND followee_id = ? RETURNING follower_id',
        [me, other],
      );
      if (removed) await this.outbox.record(tx, 'follow.removed', { followerId: me, followeeId: other, reason: 'removed' });
    });
    return { ok: true };
  }

  /** Whom the user follows, most recent first. */
  following(req: RpcRequest<'social.follow.listFollowing'>): Promise<Page<UserDto>> {
    return this.list(req, 'follower_id', 'followee_id');
  }

  /** Who follows the user, most recent first. */
  followers(req: RpcRequest<'social.follow.listFollowers'>): Promise<Page<UserDto>> {
    return this.list(req, 'followee_id', 'follower_id');
  }

  private async list(
    req: RpcRequest<'social.follow.listFollowing'>,
    self: 'follower_id' | 'followee_id',
    other: 'follower_id' | 'followee_id',
  ): Promise<Page<UserDto>> {
    assertValid({ actor: req.actor, ids: { userId: req.userId }, page: req });
    const after = afterCursor('created_at', other, req.cursor);
    const rows = await this.em.execute<{ other_id: number; micros: string }[]>(
      `SELECT ${other} AS other_id, ${microsColumn('created_at')} AS micros FROM social.follows
       WHERE ${self} = ?${after.sql} ORDER BY created_at DESC, ${other} DESC LIMIT ?`,
      [req.userId, ...after.params, req.limit + 1],
    );
    const page = pageOf(rows, req.limit, (r) => r.other_id);
    const profiles = await this.users.profiles([req.userId, ...page.rows.map((r) => r.other_id)]);
    if (!profiles.has(req.userId)) throw userNotFound(req.userId);
    return { items: page.rows.flatMap((r) => profiles.get(r.other_id) ?? []), nextCursor: page.nextCursor };
  }

  /** Validates the two users and makes sure both exist (404), before any lock is taken. */
  private async pair(req: RpcRequest<'social.follow.create'>, what: string): Promise<{ me: number; other: number }> {
    assertValid({ actor: req.actor, ids: { userId: req.userId } });
    if (req.actor.id === req.userId) throw cannotTargetSelf(what);
    await this.users.require([req.actor.id, req.userId]);
    return { me: req.actor.id, other: req.userId };
  }
}
