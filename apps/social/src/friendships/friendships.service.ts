import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FriendRequestDto, Page, RpcRequest, UserDto } from '@octave/contracts';
import { Outbox } from '@octave/platform/events';
import { OUTBOX } from '@octave/platform/service';
import { afterCursor, microsColumn, pageOf } from '../graph/cursor.js';
import { blockBetween } from '../graph/edges.js';
import {
  alreadyFriends,
  blocked,
  cannotTargetSelf,
  friendRequestExists,
  friendRequestNotFound,
  friendRequestNotPending,
  invalidInput,
  notFriends,
  notRequestAddressee,
  notRequestRequester,
  userNotFound,
} from '../graph/errors.js';
import { lockPair } from '../graph/pair-lock.js';
import { assertValid } from '../graph/validation.js';
import { UsersDirectory } from '../users/users-directory.js';

interface FriendshipRow {
  id: number;
  user_id: number;
  friend_id: number;
  status: 'pending' | 'accepted';
  created_at: Date;
}

const COLUMNS = 'id, user_id, friend_id, status, created_at';
/** The row of the unordered pair `(?, ?)`: matches the unique index. */
const SAME_PAIR =
  'least(user_id, friend_id) = least(?::int, ?::int) AND greatest(user_id, friend_id) = greatest(?::int, ?::int)';

/**
 * Friend requests and friendships: one row per pair of users, `pending` then
 * `accepted`. Every change of a pair runs in one transaction under the pair's lock.
 */
@Injectable()
export class FriendshipsService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'social'>,
    private readonly users: UsersDirectory,
  ) {}

  /**
   * Asks `userId` to be friends; if they had asked the actor already, accepts theirs.
   * Two requests racing between the same pair end in one row: the unique pair makes the
   * second INSERT a no-op, and it then finds the first one's row.
   */
  async request(req: RpcRequest<'social.friendRequest.create'>): Promise<FriendRequestDto> {
    assertValid({ actor: req.actor, ids: { userId: req.userId } });
    const me = req.actor.id;
    const other = req.userId;
    if (me === other) throw cannotTargetSelf('send a friend request to');
    // Before the transaction: no lock is held while identity answers.
    const profiles = await this.users.profiles([me, other]);
    if (!profiles.has(other)) throw userNotFound(other);
    if (!profiles.has(me)) throw userNotFound(me);
    await this.users.require([me, other], profiles);

    const row = await this.em.transactional(async (tx) => {
      await lockPair(tx, me, other);
      await this.users.lockLive(tx, [me, other]);
      if ((await blockBetween(tx, me, other)).blocked) throw blocked();
      const [created] = await tx.execute<FriendshipRow[]>(
        `INSERT INTO social.friendships (user_id, friend_id, status) VALUES (?, ?, 'pending')
         ON CONFLICT ((least(user_id, friend_id)), (greatest(user_id, friend_id))) DO NOTHING
         RETURNING ${COLUMNS}`,
        [me, other],
      );
      if (created) return created;
      const [existing] = await tx.execute<FriendshipRow[]>(
        `SELECT ${COLUMNS} FROM social.friendships WHERE ${SAME_PAIR} FOR UPDATE`,
        [me, other, me, other],
      );
      if (!existing) throw new Error(`friendship of ${me} and ${other} conflicted but cannot be found`);
      if (existing.status === 'accepted') throw alreadyFriends(other);
      if (existing.user_id === me) throw friendRequestExists(other);
      return this.accept(tx, existing);
    });
    return this.present(row, profiles);
  }

  async list(req: RpcRequest<'social.friendRequest.list'>): Promise<Page<FriendRequestDto>> {
    assertValid({ actor: req.actor, page: req });
    if (req.direction !== 'incoming' && req.direction !== 'outgoing') {
      throw invalidInput(['direction must be one of: incoming, outgoing']);
    }
    const column = req.direction === 'outgoing' ? 'user_id' : 'friend_id';
    const after = afterCursor('created_at', 'id', req.cursor);
    const rows = await this.em.execute<(FriendshipRow & { micros: string })[]>(
      `SELECT ${COLUMNS}, ${microsColumn('created_at')} AS micros FROM social.friendships
       WHERE ${column} = ? AND status = 'pending'${after.sql}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      [req.actor.id, ...after.params, req.limit + 1],
    );
    const page = pageOf(rows, req.limit, (r) => r.id);
    const profiles = await this.users.profiles(page.rows.flatMap((r) => [r.user_id, r.friend_id]));
    // A user deleted a moment ago (their rows go shortly) is left out rather than failing the page.
    const items = page.rows.flatMap((r) =>
      profiles.has(r.user_id) && profiles.has(r.friend_id) ? [this.present(r, profiles)] : [],
    );
    return { items, nextCursor: page.nextCursor };
  }

  async acceptById(req: RpcRequest<'social.friendRequest.accept'>): Promise<FriendRequestDto> {
    assertValid({ actor: req.actor, ids: { requestId: req.requestId } });
    const found = await this.findFor(req.actor.id, req.requestId, 'addressee');
    const profiles = await this.users.profiles([found.user_id, found.friend_id]);
    // The other side's account is being deleted: its request goes with it.
    if (!profiles.has(found.user_id) || !profiles.has(found.friend_id)) throw friendRequestNotFound(req.requestId);
    const row = await this.em.transactional(async (tx) => {
      const current = await this.lockRequest(tx, found, 'addressee');
      await this.users.lockLive(tx, [current.user_id, current.friend_id]);
      return this.accept(tx, current);
    });
    return this.present(row, profiles);
  }

  /** The addressee says no: the request is deleted, so either may ask again later. */
  async decline(req: RpcRequest<'social.friendRequest.decline'>): Promise<{ ok: true }> {
    assertValid({ actor: req.actor, ids: { requestId: req.requestId } });
    await this.deletePending(req.actor.id, req.requestId, 'addressee');
    return { ok: true };
  }

  /** The requester takes a pending request back. */
  async cancel(req: RpcRequest<'social.friendRequest.cancel'>): Promise<{ ok: true }> {
    assertValid({ actor: req.actor, ids: { requestId: req.requestId } });
    await this.deletePending(req.actor.id, req.requestId, 'requester');
    return { ok: true };
  }

  /** Unfriends: deletes the accepted row of the pair, announced so both counts go down. */
  async unfriend(req: RpcRequest<'social.friends.remove'>): Promise<{ ok: true }> {
    assertValid({ actor: req.actor, ids: { userId: req.userId } });
    const me = req.actor.id;
    const other = req.userId;
    await this.em.transactional(async (tx) => {
      await lockPair(tx, me, other);
      const [removed] = await tx.execute<FriendshipRow[]>(
        `DELETE FROM social.friendships WHERE ${SAME_PAIR} AND status = 'accepted' RETURNING ${COLUMNS}`,
        [me, other, me, other],
      );
      if (!removed) throw notFriends(other);
      await this.outbox.record(tx, 'friendship.removed', {
        friendshipId: removed.id,
        requesterId: removed.user_id,
        addresseeId: removed.friend_id,
        reason: 'removed',
      });
    });
    return { ok: true };
  }

  /** Friends of a user, most recent friendship first, as profiles fetched in one call. */
  async friends(req: RpcRequest<'social.friends.list'>): Promise<Page<UserDto>> {
    assertValid({ actor: req.actor, ids: { userId: req.userId }, page: req });
    const after = afterCursor('updated_at', 'id', req.cursor);
    const rows = await this.em.execute<{ id: number; other_id: number; micros: string }[]>(
      `SELECT id, CASE WHEN user_id = ? THEN friend_id ELSE user_id END AS other_id, ${microsColumn('updated_at')} AS micros
       FROM social.friendships WHERE (user_id = ? OR friend_id = ?) AND status = 'accepted'${after.sql}
       ORDER BY updated_at DESC, id DESC LIMIT ?`,
      [req.userId, req.userId, req.userId, ...after.params, req.limit + 1],
    );
    const page = pageOf(rows, req.limit, (r) => r.id);
    const profiles = await this.users.profiles([req.userId, ...page.rows.map((r) => r.other_id)]);
    if (!profiles.has(req.userId)) throw userNotFound(req.userId);
    return { items: page.rows.flatMap((r) => profiles.get(r.other_id) ?? []), nextCursor: page.nextCursor };
  }

  async friendIds(req: RpcRequest<'social.friends.ids'>): Promise<{ ids: number[] }> {
    assertValid({ ids: { userId: req.userId } });
    const rows = await this.em.execute<{ other_id: number }[]>(
      `SELECT CASE WHEN user_id = ? THEN friend_id ELSE user_id END AS other_id
       FROM social.friendships WHERE (user_id = ? OR friend_id = ?) AND status = 'accepted' ORDER BY other_id`,
      [req.userId, req.userId, req.userId],
    );
    return { ids: rows.map((r) => r.other_id) };
  }

  /** Accepts a pending row locked by the caller, and announces the friendship. */
  private async accept(tx: EntityManager, row: FriendshipRow): Promise<FriendshipRow> {
    const [accepted] = await tx.execute<FriendshipRow[]>(
      `UPDATE social.friendships SET status = 'accepted', updated_at = now() WHERE id = ? RETURNING ${COLUMNS}`,
      [row.id],
    );
    await this.outbox.record(tx, 'friendship.accepted', {
      friendshipId: accepted.id,
      requesterId: accepted.user_id,
      addresseeId: accepted.friend_id,
    });
    return accepted;
  }

  private async deletePending(actorId: number, requestId: number, side: 'addressee' | 'requester'): Promise<void> {
    const found = await this.findFor(actorId, requestId, side);
    await this.em.transactional(async (tx) => {
      const current = await this.lockRequest(tx, found, side);
      await tx.execute('DELETE FROM social.friendships WHERE id = ?', [current.id]);
    });
  }

  /**
   * The request as the actor may act on it: 404 when it does not exist or is none of
   * theirs (it is not shown to others), 403 from the wrong side, 409 once accepted.
   */
  private async findFor(actorId: number, requestId: number, side: 'addressee' | 'requester'): Promise<FriendshipRow> {
    const [row] = await this.em.execute<FriendshipRow[]>(`SELECT ${COLUMNS} FROM social.friendships WHERE id = ?`, [requestId]);
    return checkRequest(row, actorId, requestId, side);
  }

  /** Takes the pair's lock and the row's, then checks the request again as it is now. */
  private async lockRequest(tx: EntityManager, found: FriendshipRow, side: 'addressee' | 'requester'): Promise<FriendshipRow> {
    await lockPair(tx, found.user_id, found.friend_id);
    const [row] = await tx.execute<FriendshipRow[]>(`SELECT ${COLUMNS} FROM social.friendships WHERE id = ? FOR UPDATE`, [found.id]);
    const actorId = side === 'addressee' ? found.friend_id : found.user_id;
    return checkRequest(row, actorId, found.id, side);
  }

  private present(row: FriendshipRow, profiles: Map<number, UserDto>): FriendRequestDto {
    const requester = profiles.get(row.user_id);
    const addressee = profiles.get(row.friend_id);
    if (!requester || !addressee) throw new Error(`profiles of friendship ${row.id} were not fetched`);
    return { id: row.id, requester, addressee, status: row.status, createdAt: new Date(row.created_at).toISOString() };
  }
}

function checkRequest(
  row: FriendshipRow | undefined,
  actorId: number,
  requestId: number,
  side: 'addressee' | 'requester',
): FriendshipRow {
  if (!row || (row.user_id !== actorId && row.friend_id !== actorId)) throw friendRequestNotFound(requestId);
  if (side === 'addressee' && row.friend_id !== actorId) throw notRequestAddressee(requestId);
  if (side === 'requester' && row.user_id !== actorId) throw notRequestRequester(requestId);
  if (row.status !== 'pending') throw friendRequestNotPending(requestId);
  return row;
}
