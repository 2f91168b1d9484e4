import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { UserDto } from '@octave/contracts';
import { RpcClient } from '@octave/platform/bus';
import { userNotFound } from '../graph/errors.js';

/**
 * Which users exist, for the graph: a local table of user ids kept from identity's
 * events (so writes need no call to identity and go on while it is down), with
 * identity asked about ids not seen yet (a registration whose event is still on its
 * way, or an account older than this service). Profiles always come from identity, a
 * whole page in one call.
 */
@Injectable()
export class UsersDirectory {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(RpcClient) private readonly rpc: RpcClient,
  ) {}

  /** The profiles of `ids` that identity knows, by id, in one call. */
  async profiles(ids: number[]): Promise<Map<number, UserDto>> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return new Map();
    const users = await this.rpc.call('identity.user.getMany', { ids: wanted });
    return new Map(users.map((u) => [u.id, u]));
  }

  /**
   * 404 unless every id is a live user. Ids the table lacks are checked with identity
   * (one call, or none when their `profiles` were just fetched) and recorded.
   */
  async require(ids: number[], profiles?: Map<number, UserDto>): Promise<void> {
    const wanted = [...new Set(ids)];
    const rows = await this.em.execute<{ id: number; deleted: boolean }[]>(
      'SELECT id, deleted_at IS NOT NULL AS deleted FROM social.users WHERE id IN (?)',
      [wanted],
    );
    const gone = rows.find((r) => r.deleted);
    if (gone) throw userNotFound(gone.id);
    const known = new Set(rows.map((r) => r.id));
    const unseen = wanted.filter((id) => !known.has(id));
    if (unseen.length === 0) return;
    const found = profiles ?? (await this.profiles(unseen));
    const unknown = unseen.find((id) => !found.has(id));
    if (unknown !== undefined) throw userNotFound(unknown);
    // A tombstone written meanwhile wins: ON CONFLICT leaves it as it is. Rows go in in
    // ascending id order, whatever the caller's: two users acting on each other at once
    // (a follows b while b blocks a) insert the same two new rows, and in opposite orders
    // each would hold one row's index entry while waiting for the other's, a deadlock
    // that PostgreSQL breaks by failing one of the two calls.
    await this.em.execute(
      'INSERT INTO social.users (id) SELECT id FROM unnest(?::int[]) AS unseen (id) ORDER BY id ON CONFLICT (id) DO NOTHING',
      [`{${unseen.join(',')}}`],
    );
  }

  /**
   * Inside a write transaction, after `require`: share-locks the users' rows, so an
   * account deletion (which updates the row) waits until this transaction is done and
   * then removes what it added, and this transaction sees a deletion committed first.
   * 404 when one of them is gone.
   */
  async lockLive(tx: EntityManager, ids: number[]): Promise<void> {
    const wanted = [...new Set(ids)].sort((x, y) => x - y);
    const rows = await tx.execute<{ id: number }[]>(
      'SELECT id FROM social.users WHERE id IN (?) AND deleted_at IS NULL ORDER BY id FOR SHARE',
      [wanted],
    );
    const live = new Set(rows.map((r) => r.id));
    const missing = wanted.find((id) => !live.has(id));
    if (missing !== undefined) throw userNotFound(missing);
  }
}
