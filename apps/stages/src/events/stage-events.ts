import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { RequestContext } from '@mikro-orm/core';
import { MikroORM, type SqlEntityManager } from '@mikro-orm/postgresql';
import type { EventData, EventEnvelope } from '@octave/contracts';
import { EventConsumer } from '@octave/platform/events';
import type { Logger } from '@octave/platform/observability';
import { SERVICE_LOGGER } from '@octave/platform/service';
import { ObjectStore } from '@octave/platform/storage';
import { RealtimePublisher } from '../realtime/realtime-publisher.js';
import { StageStore, stageUsers } from '../stages/stage-store.js';
import { StagePresenter } from '../stages/stage.presenter.js';

/** Durable consumer names (one subject each: nats-server 2.9 takes one filter per consumer). */
export const STAGE_CONSUMERS = {
  userDeleted: 'stages-user-deleted',
  userUpdated: 'stages-user-renames',
  songDeleted: 'stages-song-deleted',
  playlistDeleted: 'stages-playlist-deleted',
} as const;

/**
 * What the stages service does with other services' events.
 *
 * Handlers whose change must be announced to subscribers (`stage:ended`,
 * `participant:left`, `stage:updated`) make it in a transaction of their own and
 * publish once it is committed, which the consumer's transaction cannot offer; they are
 * idempotent by state (ending an ended stage, removing a removed row changes nothing),
 * so a redelivery after their commit but before the inbox row's changes nothing twice.
 * Song and playlist removals that touch what is playing only mark the stage due: the
 * playback scheduler moves it on and announces it.
 */
@Injectable()
export class StageEventsHandler implements OnModuleInit {
  constructor(
    @Inject(EventConsumer) private readonly events: EventConsumer,
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(StagePresenter) private readonly presenter: StagePresenter,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(RealtimePublisher) private readonly realtime: RealtimePublisher,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Registers with the runtime's consumer, which starts once the service listens. */
  onModuleInit(): void {
    this.events
      .on('identity', 'user.deleted', STAGE_CONSUMERS.userDeleted, (_em, event) => this.userDeleted(event))
      .on('identity', 'user.updated', STAGE_CONSUMERS.userUpdated, (em, event) => stageUsers.rename(em, event))
      .on('catalog', 'song.deleted', STAGE_CONSUMERS.songDeleted, (em, event) => this.songDeleted(em, event))
      .on('playlists', 'playlist.deleted', STAGE_CONSUMERS.playlistDeleted, (_em, event) => this.playlistDeleted(event));
  }

  /**
   * The user leaves every stage, the stages they host end, their chat messages go. The
   * tombstone comes first: it waits for requests holding the user's row (a join, a
   * message) and then refuses new ones.
   */
  async userDeleted(event: EventEnvelope<EventData<'identity', 'user.deleted'>>): Promise<void> {
    const { userId } = event.data;
    const outcome = await this.orm.em.fork().transactional(async (tx) => {
      const username = await stageUsers.tombstone(tx, userId);
      const hosted = await tx.execute<{ id: number }[]>(
        'SELECT id FROM stages.stages WHERE host_id = ? AND ended_at IS NULL ORDER BY id FOR UPDATE',
        [userId],
      );
      const ended: { stageId: number; coverKey: string | null }[] = [];
      for (const { id } of hosted) {
        const done = await StageStore.end(tx, id);
        if (done) ended.push({ stageId: id, coverKey: done.coverKey });
      }
      const joined = await tx.execute<{ id: number }[]>(
        `SELECT s.id FROM stages.stages s JOIN stages.stage_participants p ON p.stage_id = s.id
         WHERE p.user_id = ? AND s.ended_at IS NULL ORDER BY s.id FOR UPDATE OF s`,
        [userId],
      );
      const left: number[] = [];
      for (const { id } of joined) if (await StageStore.removeParticipant(tx, id, userId)) left.push(id);
      await tx.execute('DELETE FROM stages.chat_messages WHERE sender_id = ?', [userId], 'run');
      await tx.execute('DELETE FROM stages.stage_kicks WHERE user_id = ?', [userId], 'run');
      return { username, ended, left };
    });
    for (const { stageId, coverKey } of outcome.ended) {
      this.realtime.publish(stageId, 'stage:ended', { stageId });
      if (coverKey) await this.store.discard(coverKey);
    }
    for (const stageId of outcome.left) {
      this.realtime.publish(stageId, 'participant:left', { stageId, user: { id: userId, username: outcome.username } });
    }
    if (outcome.ended.length + outcome.left.length > 0) {
      this.logger.info({ userId, ended: outcome.ended.length, left: outcome.left.length }, 'a deleted user left their stages');
    }
  }

  /** Stages playing the song move on (the scheduler does it at once and announces it). */
  async songDeleted(em: SqlEntityManager, event: EventEnvelope<EventData<'catalog', 'song.deleted'>>): Promise<void> {
    await em.execute(
      'UPDATE stages.stages SET ends_at = now(), updated_at = now() WHERE song_id = ? AND ended_at IS NULL',
      [event.data.songId],
      'run',
    );
  }

  /**
   * The playlist leaves every queue; stages playing from it move on (the scheduler does
   * it), and every stage it was on is announced as updated.
   */
  async playlistDeleted(event: EventEnvelope<EventData<'playlists', 'playlist.deleted'>>): Promise<void> {
    const stageIds = await this.orm.em.fork().transactional(async (tx) => {
      const removed = await tx.execute<{ stage_id: number; position: number }[]>(
        'DELETE FROM stages.stage_playlists WHERE playlist_id = ? RETURNING stage_id, position',
        [event.data.playlistId],
      );
      for (const { stage_id, position } of removed) {
        await tx.execute(
          `UPDATE stages.stages SET updated_at = now(),
             ends_at = CASE WHEN queue_playlist_pos = ? AND song_id IS NOT NULL THEN now() ELSE ends_at END
           WHERE id = ? AND ended_at IS NULL`,
          [position, stage_id],
          'run',
        );
      }
      return removed.map((r) => r.stage_id);
    });
    if (stageIds.length === 0) return;
    await RequestContext.create(this.orm.em, async () => {
      const live = await StageStore.liveByIds(this.orm.em, stageIds);
      for (const stage of await this.presenter.stages(live)) this.realtime.publish(stage.id, 'stage:updated', stage);
    });
  }
}
