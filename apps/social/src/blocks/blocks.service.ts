import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { BlockStatusDto, RpcRequest } from '@octave/contracts';
import { Outbox } from '@octave/platform/events';
import { OUTBOX } from '@octave/platform/service';
import { blockBetween, removeEdgesBetween } from '../graph/edges.js';
import { cannotTargetSelf } from '../graph/errors.js';
import { lockPair } from '../graph/pair-lock.js';
import { assertValid } from '../graph/validation.js';
import { UsersDirectory } from '../users/users-directory.js';

/**
 * Blocks: a block removes the friendship, requests and follows between the two users,
 * both ways, and forbids new ones until it is lifted. Each user's block is their own:
 * lifting mine leaves theirs.
 */
@Injectable()
export class BlocksService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'social'>,
    private readonly users: UsersDirectory,
  ) {}

  async block(req: RpcRequest<'social.block.create'>): Promise<{ ok: true }> {
    const { me, other } = await this.pair(req, 'block');
    await this.em.transactional(async (tx) => {
      await lockPair(tx, me, other);
      await this.users.lockLive(tx, [me, other]);
      await removeEdgesBetween(tx, this.outbox, me, other, 'blocked');
      const [created] = await tx.execute<{ blocker_id: number }[]>(
        `INSERT INTO social.blocks (blocker_id, blocked_id) VALUES (?, ?)
         ON CONFLICT (blocker_id, blocked_id) DO NOTHING RETURNING blocker_id`,
        [me, other],
      );
      if (created) await this.outbox.record(tx, 'block.created', { blockerId: me, blockedId: other });
    });
    return { ok: true };
  }

  async unblock(req: RpcRequest<'social.block.remove'>): Promise<{ ok: true }> {
    const { me, other } = await this.pair(req, 'unblock');
    await this.em.transactional(async (tx) => {
      await lockPair(tx, me, other);
      const [removed] = await tx.execute<{ blocker_id: number }[]>(
        'DELETE FROM social.blocks WHERE blocker_id = ? AND blocked_id = ? RETURNING blocker_id',
        [me, other],
      );
      if (removed) await this.outbox.record(tx, 'block.removed', { blockerId: me, blockedId: other, reason: 'removed' });
    });
    return { ok: true };
  }

  async check(req: RpcRequest<'social.block.check'>): Promise<BlockStatusDto> {
    assertValid({ ids: { userId: req.userId, otherUserId: req.otherUserId } });
    return blockBetween(this.em, req.userId, req.otherUserId);
  }

  private async pair(req: RpcRequest<'social.block.create'>, what: string): Promise<{ me: number; other: number }> {
    assertValid({ actor: req.actor, ids: { userId: req.userId } });
    if (req.actor.id === req.userId) throw cannotTargetSelf(what);
    await this.users.require([req.actor.id, req.userId]);
    return { me: req.actor.id, other: req.userId };
  }
}
