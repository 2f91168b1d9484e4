import { isId, type Actor } from '@octave/contracts';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { UserDirectory } from '@octave/platform/events';
import { STAGES_SCHEMA } from '../config.js';
import { STAGE_COLUMNS, toStageRow, type RawStageRow, type StageRow } from './stage-row.js';
import { accountDeleted, stageNotFound } from './stages.errors.js';

/**
 * `stages.users`: the current usernames of hosts, participants and chat senders, or
 * tombstones of deleted accounts; kept from identity's events.
 */
export const stageUsers = new UserDirectory({ schema: STAGES_SCHEMA, table: 'users', idColumn: 'user_id' });

/**
 * The SQL every use case of the service shares, on the entity manager it is given: a
 * request's, a transaction's, the scheduler's or an event handler's.
 */
export const StageStore = {
  /** A live stage, or 404 (unknown, ended, or not an id at all). */
  async live(em: SqlEntityManager, id: number): Promise<StageRow> {
    const rows = isId(id)
      ? await em.execute<RawStageRow[]>(`SELECT ${STAGE_COLUMNS} FROM stages.stages s WHERE s.id = ? AND s.ended_at IS NULL`, [id])
      : [];
    if (rows.length === 0) throw stageNotFound(id);
    return toStageRow(rows[0]);
  },

  /**
   * A live stage locked for the rest of the transaction, or 404. Every change of a stage
   * takes this lock first, so changes of one stage happen one after the other.
   */
  async lockLive(tx: SqlEntityManager, id: number): Promise<StageRow> {
    const rows = isId(id)
      ? await tx.execute<RawStageRow[]>(
          `SELECT ${STAGE_COLUMNS} FROM stages.stages s WHERE s.id = ? AND s.ended_at IS NULL FOR UPDATE`,
          [id],
        )
      : [];
    if (rows.length === 0) throw stageNotFound(id);
    return toStageRow(rows[0]);
  },

  /** The live ones of `ids`, in the order given. */
  async liveByIds(em: SqlEntityManager, ids: number[]): Promise<StageRow[]> {
    if (ids.length === 0) return [];
    const rows = await em.execute<RawStageRow[]>(
      `SELECT ${STAGE_COLUMNS} FROM stages.stages s WHERE s.id IN (?) AND s.ended_at IS NULL`,
      [[...new Set(ids)]],
    );
    const byId = new Map(rows.map((r) => [r.id, toStageRow(r)]));
    return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
  },

  async isParticipant(em: SqlEntityManager, stageId: number, userId: number): Promise<boolean> {
    const rows = await em.execute<{ one: number }[]>(
      'SELECT 1 AS one FROM stages.stage_participants WHERE stage_id = ? AND user_id = ?',
      [stageId, userId],
    );
    return rows.length > 0;
  },

  /**
   * Inside a write transaction: makes sure the actor is known by name (the token's,
   * unless events already told a newer one) and not deleted, and share-locks the row
   * until the commit. The handler of `user.deleted` updates that row first, so either
   * it sees what this transaction adds and removes it, or this one sees the deletion
   * and is refused (401).
   */
  async lockLiveUser(tx: SqlEntityManager, actor: Actor): Promise<void> {
    if (!(await stageUsers.lockLive(tx, actor))) throw accountDeleted();
  },

  /** Removes a participant and counts them out; false when they were not in. */
  async removeParticipant(tx: SqlEntityManager, stageId: number, userId: number): Promise<boolean> {
    const removed = await tx.execute<{ user_id: number }[]>(
      'DELETE FROM stages.stage_participants WHERE stage_id = ? AND user_id = ? RETURNING user_id',
      [stageId, userId],
    );
    if (removed.length === 0) return false;
    await tx.execute(
      'UPDATE stages.stages SET participant_count = participant_count - 1, updated_at = now() WHERE id = ?',
      [stageId],
      'run',
    );
    return true;
  },

  /**
   * Ends a live stage: nothing plays and nobody is in it any more. Returns its cover's
   * key (to remove once committed), or undefined when it had ended already.
   */
  async end(tx: SqlEntityManager, stageId: number): Promise<{ coverKey: string | null } | undefined> {
    const [ended] = await tx.execute<{ cover_key: string | null }[]>(
      `UPDATE stages.stages SET ended_at = now(), updated_at = now(), ends_at = NULL, paused = true, participant_count = 0
       WHERE id = ? AND ended_at IS NULL RETURNING cover_key`,
      [stageId],
    );
    if (!ended) return undefined;
    await tx.execute('DELETE FROM stages.stage_participants WHERE stage_id = ?', [stageId], 'run');
    return { coverKey: ended.cover_key };
  },

  /** The stage's playlists in queue order, for loading the queue. */
  async queuePlaylists(em: SqlEntityManager, stageId: number): Promise<{ playlistId: number; position: number }[]> {
    const rows = await em.execute<{ playlist_id: number; position: number }[]>(
      'SELECT playlist_id, position FROM stages.stage_playlists WHERE stage_id = ? ORDER BY position',
      [stageId],
    );
    return rows.map((r) => ({ playlistId: r.playlist_id, position: r.position }));
  },
};
