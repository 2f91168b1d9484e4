import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, type SqlEntityManager } from '@mikro-orm/postgresql';
import { isId, type PlaybackAction, type PlaybackDto, type RpcRequest } from '@octave/contracts';
import { RealtimePublisher } from '../realtime/realtime-publisher.js';
import { RemoteServices } from '../remote/remote-services.js';
import { playbackAssignments, type StageRow } from '../stages/stage-row.js';
import { StageStore } from '../stages/stage-store.js';
import { nothingLoaded, notHost, notParticipant, queueEmpty, songNotInQueue } from '../stages/stages.errors.js';
import { assertValid } from '../validation.js';
import {
  nextIndex,
  nextSongStart,
  pauseAt,
  playbackAt,
  previousIndex,
  resumeAt,
  seekAt,
  startSong,
  stoppedClock,
  type PlaybackClock,
  type QueueCursor,
  type QueueItem,
} from './playback-clock.js';

const ACTIONS: readonly PlaybackAction[] = ['play', 'pause', 'resume', 'seek', 'next', 'previous'];

/** Songs looked up in one call while looking for the next one that still exists. */
const LOOKUP_WINDOW = 100;

/** A stage's playback after a change, and whether anything changed. */
export interface PlaybackChange {
  clock: PlaybackClock;
  cursor: QueueCursor | null;
  changed: boolean;
}

@Injectable()
export class PlaybackService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(RemoteServices) private readonly remote: RemoteServices,
    @Inject(RealtimePublisher) private readonly realtime: RealtimePublisher,
  ) {}

  /** Participants only. */
  async get(req: RpcRequest<'stages.playback.get'>): Promise<PlaybackDto> {
    const stage = await StageStore.live(this.em, req.id);
    if (!(await StageStore.isParticipant(this.em, stage.id, req.actor.id))) throw notParticipant(stage.id);
    return playbackAt(stage.clock, new Date());
  }

  /** Host only; every participant is told the new state. */
  async control(req: RpcRequest<'stages.playback.control'>): Promise<PlaybackDto> {
    assertValid(controlProblems(req));
    const { clock, changed } = await this.em.transactional(async (tx) => {
      const stage = await StageStore.lockLive(tx, req.id);
      if (stage.hostId !== req.actor.id) throw notHost(stage.id);
      const change = await this.apply(tx, stage, req, new Date());
      if (change.changed) await this.store(tx, stage.id, change);
      return change;
    });
    const playback = playbackAt(clock, new Date());
    if (changed) this.announce(req.id, playback);
    return playback;
  }

  /**
   * Moves a locked stage on to the song after the current one: at the end of a song, or
   * when its song or playlist went away. Playing stays playing (from the old song's
   * end, if that was just now) and paused stays paused; past the end of the queue
   * nothing plays. Stores the result; the caller announces it once committed.
   */
  async advanceLocked(tx: SqlEntityManager, stage: StageRow, now: Date): Promise<PlaybackChange> {
    const queue = await this.remote.queue(await StageStore.queuePlaylists(tx, stage.id));
    const start = nextIndex(queue, stage.cursor);
    const found = start === undefined ? undefined : await this.firstPlayable(queue, start, 1);
    const change: PlaybackChange = found
      ? {
          clock: startSong(found.song, stage.clock.paused ? now : nextSongStart(stage.endsAt, now), { paused: stage.clock.paused }),
          cursor: found.item,
          changed: true,
        }
      : { clock: stoppedClock(now), cursor: null, changed: true };
    await this.store(tx, stage.id, change);
    return change;
  }

  /** Tells the stage's subscribers the state at the moment it is sent. */
  announce(stageId: number, playback: PlaybackDto): void {
    this.realtime.publish(stageId, 'playback:state', { stageId, ...playback });
  }

  private async apply(
    tx: SqlEntityManager,
    stage: StageRow,
    req: RpcRequest<'stages.playback.control'>,
    now: Date,
  ): Promise<PlaybackChange> {
    const { clock, cursor } = stage;
    const unchanged: PlaybackChange = { clock, cursor, changed: false };
    switch (req.action) {
      case 'pause':
      case 'resume': {
        if (clock.songId === null) throw nothingLoaded();
        const next = req.action === 'pause' ? pauseAt(clock, now) : resumeAt(clock, now);
        return next === clock ? unchanged : { clock: next, cursor, changed: true };
      }
      case 'seek': {
        if (clock.songId === null || clock.durationMs === null) throw nothingLoaded();
        const positionMs = req.positionMs!;
        assertValid(withinSong(positionMs, clock.durationMs));
        return { clock: seekAt(clock, positionMs, now), cursor, changed: true };
      }
      case 'play': {
        const songId = req.songId!;
        const queue = await this.queue(tx, stage.id);
        const item = queue.find((i) => i.songId === songId);
        const durationMs = item ? (await this.remote.songDurations([songId])).get(songId) : undefined;
        if (!item || durationMs === undefined) throw songNotInQueue(songId);
        const positionMs = req.positionMs ?? 0;
        assertValid(withinSong(positionMs, durationMs));
        return { clock: startSong({ songId, durationMs }, now, { positionMs }), cursor: item, changed: true };
      }
      case 'next':
      case 'previous': {
        const queue = await this.queue(tx, stage.id);
        if (queue.length === 0) throw queueEmpty();
        const forward = req.action === 'next';
        const start = forward ? nextIndex(queue, cursor) : previousIndex(queue, cursor);
        // Past the last song, `next` stops; `previous` falls back to later songs when
        // every one before is gone.
        const found =
          start === undefined
            ? undefined
            : ((await this.firstPlayable(queue, start, forward ? 1 : -1)) ??
              (forward ? undefined : await this.firstPlayable(queue, start, 1)));
        if (!found) return { clock: stoppedClock(now), cursor: null, changed: true };
        return { clock: startSong(found.song, now), cursor: found.item, changed: true };
      }
    }
  }

  private async queue(tx: SqlEntityManager, stageId: number): Promise<QueueItem[]> {
    return this.remote.queue(await StageStore.queuePlaylists(tx, stageId));
  }

  /**
   * The first song from `start` on (going `step` at a time) that the catalog still has,
   * with its duration: a deleted song whose removal has not reached its playlist yet is
   * skipped.
   */
  private async firstPlayable(
    queue: QueueItem[],
    start: number,
    step: 1 | -1,
  ): Promise<{ item: QueueItem; song: { songId: number; durationMs: number } } | undefined> {
    for (let from = start; from >= 0 && from < queue.length; from += step * LOOKUP_WINDOW) {
      const window: QueueItem[] = [];
      for (let i = from; i >= 0 && i < queue.length && window.length < LOOKUP_WINDOW; i += step) window.push(queue[i]);
      const durations = await this.remote.songDurations(window.map((i) => i.songId));
      const item = window.find((i) => durations.has(i.songId));
      if (item) return { item, song: { songId: item.songId, durationMs: durations.get(item.songId)! } };
    }
    return undefined;
  }

  private async store(tx: SqlEntityManager, stageId: number, change: PlaybackChange): Promise<void> {
    const { sql, params } = playbackAssignments(change.clock, change.cursor);
    await tx.execute(`UPDATE stages.stages SET ${sql} WHERE id = ?`, [...params, stageId], 'run');
  }
}

function controlProblems(req: RpcRequest<'stages.playback.control'>): string[] {
  const problems: string[] = [];
  if (!ACTIONS.includes(req.action)) problems.push(`action must be one of ${ACTIONS.join(', ')}`);
  if (req.songId !== undefined && !isId(req.songId)) problems.push('songId must be a positive integer');
  if (req.positionMs !== undefined && !(Number.isInteger(req.positionMs) && req.positionMs >= 0)) {
    problems.push('positionMs must be a non-negative integer');
  }
  if (req.action === 'play' && req.songId === undefined) problems.push('play needs a songId');
  if (req.action === 'seek' && req.positionMs === undefined) problems.push('seek needs a positionMs');
  return problems;
}

function withinSong(positionMs: number, durationMs: number): string[] {
  return positionMs < durationMs ? [] : [`positionMs must be less than the song's duration (${durationMs} ms)`];
}
