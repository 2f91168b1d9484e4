import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@octave/contracts';
import { RpcClient } from '@octave/platform/bus';
import { UserDirectory } from '@octave/platform/events';
import { PLAYLISTS_SCHEMA } from '../config.js';
import { accountDeleted, userNotFound } from '../playlists/playlists.errors.js';

/** `playlists.users`: each owner's current username, or a tombstone; kept from identity's events. */
export const ownerDirectory = new UserDirectory({ schema: PLAYLISTS_SCHEMA, table: 'users', idColumn: 'id' });

/**
 * The users playlists belong to: their current usernames, kept from identity's events
 * (and first learnt from the access token of their first playlist), and tombstones of
 * deleted accounts. Reads never call identity; only listing the playlists of a user the
 * service has never heard of asks identity whether that user exists.
 */
@Injectable()
export class Owners {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(RpcClient) private readonly rpc: RpcClient,
  ) {}

  /**
   * Inside a write transaction: makes sure the actor is known by name (the token's,
   * unless events already told a newer one) and not deleted, and holds a share lock on
   * the row until the commit. The handler of `user.deleted` updates the same row first,
   * so either it sees this playlist and deletes it, or this request sees the deletion.
   */
  async lockLive(tx: EntityManager, actor: Actor): Promise<void> {
    if (!(await ownerDirectory.lockLive(tx, actor))) throw accountDeleted();
  }

  /** Usernames of `ids`, by id (a deleted owner's last known one). */
  usernames(ids: number[]): Promise<Map<number, string>> {
    return ownerDirectory.usernames(this.em, ids);
  }

  /** 404 unless the user exists: known here and not deleted, or else known to identity. */
  async requireExists(id: number): Promise<void> {
    const [row] = await this.em.execute<{ deleted: boolean }[]>(
      'SELECT deleted_at IS NOT NULL AS deleted FROM playlists.users WHERE id = ?',
      [id],
    );
    if (row) {
      if (row.deleted) throw userNotFound(id);
      return;
    }
    const users = await this.rpc.call('identity.user.getMany', { ids: [id] });
    if (users.length === 0) throw userNotFound(id);
  }
}
