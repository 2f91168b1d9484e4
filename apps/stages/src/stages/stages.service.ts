import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { GenreDto, Page, PlaybackDto, PlaylistSummaryDto, RpcRequest, StageDto } from '@octave/contracts';
import { DomainError, idListProblems, idProblems, pageLimitProblems, textProblems } from '@octave/platform/bus';
import { SERVICE_CONFIG } from '@octave/platform/service';
import { adoptStagedUpload, IMAGE_TYPES, ObjectStore } from '@octave/platform/storage';
import type { StagesConfig } from '../config.js';
import { playbackAt } from '../playback/playback-clock.js';
import { PlaybackService, type PlaybackChange } from '../playback/playback.service.js';
import { RealtimePublisher } from '../realtime/realtime-publisher.js';
import { RemoteServices } from '../remote/remote-services.js';
import { assertValid } from '../validation.js';
import { decodeStageCursor, encodeStageCursor } from './stage-cursor.js';
import { STAGE_COLUMNS, toStageRow, type RawStageRow, type StageRow } from './stage-row.js';
import { StageStore } from './stage-store.js';
import { StagePresenter } from './stage.presenter.js';
import {
  blockedByHost,
  kicked,
  notHost,
  notParticipant,
  playlistNotAttached,
  stageFull,
  StagesLocalErrorCode,
} from './stages.errors.js';

export const NAME_MAX = 100;
export const GENRES_PER_STAGE_MAX = 10;
/** Each playlist of the queue is one call when the queue is read: keep that bounded. */
export const PLAYLISTS_PER_STAGE_MAX = 50;

/**
 * Rooms: creating, finding, changing and ending stages, and who is in them. Every
 * change of a stage locks its row first; what subscribers are told is published once
 * the change is committed.
 */
@Injectable()
export class StagesService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(SERVICE_CONFIG) private readonly config: StagesConfig,
    @Inject(RemoteServices) private readonly remote: RemoteServices,
    @Inject(StagePresenter) private readonly presenter: StagePresenter,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(PlaybackService) private readonly playback: PlaybackService,
    @Inject(RealtimePublisher) private readonly realtime: RealtimePublisher,
  ) {}

  /** The host is the first participant. */
  async create(req: RpcRequest<'stages.stage.create'>): Promise<StageDto> {
    const genreIds = req.genreIds ?? [];
    const playlistIds = req.playlistIds ?? [];
    assertValid([
      ...textProblems('name', req.name, NAME_MAX),
      ...idListProblems('genreIds', genreIds, GENRES_PER_STAGE_MAX),
      ...idListProblems('playlistIds', playlistIds, PLAYLISTS_PER_STAGE_MAX),
    ]);
    const [genres, playlists] = await Promise.all([this.remote.requireGenres(genreIds), this.remote.requirePlaylists(playlistIds)]);
    const stageId = await this.em.transactional(async (tx) => {
      await StageStore.lockLiveUser(tx, req.actor);
      const [row] = await tx.execute<{ id: number }[]>(
        'INSERT INTO stages.stages (name, host_id, participant_count) VALUES (?, ?, 1) RETURNING id',
        [req.name.trim(), req.actor.id],
      );
      await tx.execute('INSERT INTO stages.stage_participants (stage_id, user_id) VALUES (?, ?)', [row.id, req.actor.id], 'run');
      await this.setGenres(tx, row.id, genres);
      for (const [position, playlist] of playlists.entries()) await this.attach(tx, row.id, playlist, position);
      return row.id;
    });
    return this.presenter.stage(await StageStore.live(this.em, stageId));
  }

  /** Live stages only, most participants first (then newest first), keyset-paged. */
  async list(req: RpcRequest<'stages.stage.list'>): Promise<Page<StageDto>> {
    assertValid([
      ...pageLimitProblems(req.limit),
      ...(req.genreId !== undefined ? idProblems('genreId', req.genreId) : []),
      ...(req.hostId !== undefined ? idProblems('hostId', req.hostId) : []),
      ...(req.friends !== undefined && typeof req.friends !== 'boolean' ? ['friends must be a boolean'] : []),
    ]);
    const after = req.cursor ? decodeStageCursor(req.cursor) : undefined;
    const conditions = ['s.ended_at IS NULL'];
    const params: unknown[] = [];
    if (req.genreId !== undefined) {
      conditions.push('EXISTS (SELECT 1 FROM stages.stage_genres g WHERE g.stage_id = s.id AND g.genre_id = ?)');
      params.push(req.genreId);
    }
    if (req.hostId !== undefined) {
      conditions.push('s.host_id = ?');
      params.push(req.hostId);
    }
    if (req.friends) {
      const friends = await this.remote.friendIds(req.actor.id);
      if (friends.length === 0) return { items: [], nextCursor: null };
      // The host is a participant too, so "hosted or joined" is one condition.
      conditions.push('EXISTS (SELECT 1 FROM stages.stage_participants p WHERE p.stage_id = s.id AND p.user_id = ANY(?::int[]))');
      params.push(`{${friends.join(',')}}`);
    }
    if (after) {
      conditions.push('(s.participant_count, s.id) < (?, ?)');
      params.push(after.participantCount, after.id);
    }
    const rows = await this.em.execute<RawStageRow[]>(
      `SELECT ${STAGE_COLUMNS} FROM stages.stages s WHERE ${conditions.join(' AND ')}
       ORDER BY s.participant_count DESC, s.id DESC LIMIT ?`,
      [...params, req.limit + 1],
    );
    const page = rows.slice(0, req.limit).map(toStageRow);
    const last = page.at(-1);
    return {
      items: await this.presenter.stages(page),
      nextCursor: rows.length > req.limit && last ? encodeStageCursor(last) : null,
    };
  }

  /** With its participants. */
  async get(req: RpcRequest<'stages.stage.get'>): Promise<StageDto> {
    return this.presenter.stage(await StageStore.live(this.em, req.id), { participants: true });
  }

  /** For `stage:subscribe`: participants only. */
  async subscribe(req: RpcRequest<'stages.stage.subscribe'>): Promise<{ stage: StageDto; playback: PlaybackDto }> {
    const row = await StageStore.live(this.em, req.id);
    if (!(await StageStore.isParticipant(this.em, row.id, req.actor.id))) throw notParticipant(row.id);
    const stage = await this.presenter.stage(row, { participants: true });
    return { stage, playback: playbackAt(row.clock, new Date()) };
  }

  /** Host only. */
  async update(req: RpcRequest<'stages.stage.update'>): Promise<StageDto> {
    assertValid([
      ...(req.name !== undefined ? textProblems('name', req.name, NAME_MAX) : []),
      ...(req.genreIds !== undefined ? idListProblems('genreIds', req.genreIds, GENRES_PER_STAGE_MAX) : []),
    ]);
    const genres = req.genreIds !== undefined ? await this.remote.requireGenres(req.genreIds) : undefined;
    await this.em.transactional(async (tx) => {
      const stage = await this.lockAsHost(tx, req.id, req.actor.id);
      if (req.name !== undefined) {
        await tx.execute('UPDATE stages.stages SET name = ?, updated_at = now() WHERE id = ?', [req.name.trim(), stage.id], 'run');
      }
      if (genres) await this.setGenres(tx, stage.id, genres);
    });
    return this.announceUpdate(req.id);
  }

  /**
   * Host only. The staged image is adopted in place, or removed if it is not taken; the
   * cover it replaces is removed once the change is committed, so a failure there only
   * leaves an orphan behind, never a stage without its cover.
   */
  async setCover(req: RpcRequest<'stages.stage.cover.set'>): Promise<StageDto> {
    const previous = await adoptStagedUpload(
      this.store,
      req.stagingKey,
      {
        uploaderId: req.actor.id,
        accepted: IMAGE_TYPES,
        maxBytes: this.config.MAX_COVER_BYTES,
        what: 'cover',
        // Checked before reading the upload too, so a stranger's upload is never looked at.
        check: async () => {
          const stage = await StageStore.live(this.em, req.id);
          if (stage.hostId !== req.actor.id) throw notHost(stage.id);
        },
      },
      ({ key }) =>
        this.em.transactional(async (tx) => {
          const locked = await this.lockAsHost(tx, req.id, req.actor.id);
          await tx.execute('UPDATE stages.stages SET cover_key = ?, updated_at = now() WHERE id = ?', [key, locked.id], 'run');
          return locked.coverKey;
        }),
    );
    if (previous) await this.store.discard(previous);
    return this.announceUpdate(req.id);
  }

  /** Host only: everyone is told (`stage:ended`). */
  async end(req: RpcRequest<'stages.stage.end'>): Promise<{ ok: true }> {
    const ended = await this.em.transactional(async (tx) => {
      const stage = await this.lockAsHost(tx, req.id, req.actor.id);
      return StageStore.end(tx, stage.id);
    });
    await this.afterEnd(req.id, ended);
    return { ok: true };
  }

  /** Idempotent: joining a stage one is in changes nothing. */
  async join(req: RpcRequest<'stages.stage.join'>): Promise<StageDto> {
    const { actor } = req;
    const stage = await StageStore.live(this.em, req.id);
    if (!(await StageStore.isParticipant(this.em, stage.id, actor.id))) {
      if (await this.isKicked(this.em, stage.id, actor.id)) throw kicked(stage.id);
      if (await this.remote.hostBlocks(stage.hostId, actor.id)) throw blockedByHost(stage.id);
      const joined = await this.em.transactional(async (tx) => {
        await StageStore.lockLiveUser(tx, actor);
        const locked = await StageStore.lockLive(tx, req.id);
        if (await StageStore.isParticipant(tx, locked.id, actor.id)) return false;
        if (await this.isKicked(tx, locked.id, actor.id)) throw kicked(locked.id);
        if (locked.participantCount >= this.config.MAX_STAGE_PARTICIPANTS) {
          throw stageFull(locked.id, this.config.MAX_STAGE_PARTICIPANTS);
        }
        await tx.execute('INSERT INTO stages.stage_participants (stage_id, user_id) VALUES (?, ?)', [locked.id, actor.id], 'run');
        await tx.execute(
          'UPDATE stages.stages SET participant_count = participant_count + 1, updated_at = now() WHERE id = ?',
          [locked.id],
          'run',
        );
        return true;
      });
      if (joined) {
        this.realtime.publish(stage.id, 'participant:joined', { stageId: stage.id, user: await this.presenter.participant(actor) });
      }
    }
    return this.presenter.stage(await StageStore.live(this.em, req.id));
  }

  /** The host leaving ends the stage. Leaving a stage one is not in changes nothing. */
  async leave(req: RpcRequest<'stages.stage.leave'>): Promise<{ ok: true }> {
    const { actor } = req;
    const outcome = await this.em.transactional(async (tx) => {
      const stage = await StageStore.lockLive(tx, req.id);
      if (stage.hostId === actor.id) return { ended: await StageStore.end(tx, stage.id) };
      return { left: await StageStore.removeParticipant(tx, stage.id, actor.id) };
    });
    if ('ended' in outcome) await this.afterEnd(req.id, outcome.ended);
    else if (outcome.left) this.realtime.publish(req.id, 'participant:left', { stageId: req.id, user: actor });
    return { ok: true };
  }

  /** Host only; the user cannot join this stage again (also when they were not in it). */
  async kick(req: RpcRequest<'stages.stage.kick'>): Promise<{ ok: true }> {
    assertValid(idProblems('userId', req.userId));
    const changed = await this.em.transactional(async (tx) => {
      const stage = await this.lockAsHost(tx, req.id, req.actor.id);
      if (req.userId === stage.hostId) {
        throw DomainError.badRequest(StagesLocalErrorCode.ValidationFailed, 'the host cannot kick themselves; end the stage instead');
      }
      const newKick = await tx.execute<{ user_id: number }[]>(
        'INSERT INTO stages.stage_kicks (stage_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING user_id',
        [stage.id, req.userId],
      );
      const removed = await StageStore.removeParticipant(tx, stage.id, req.userId);
      return newKick.length > 0 || removed;
    });
    if (changed) this.realtime.publish(req.id, 'participant:kicked', { stageId: req.id, userId: req.userId });
    return { ok: true };
  }

  /** Host only; appends the playlist to the queue. Attaching one already there changes nothing. */
  async addPlaylist(req: RpcRequest<'stages.stage.playlist.add'>): Promise<StageDto> {
    assertValid(idProblems('playlistId', req.playlistId));
    const [playlist] = await this.remote.requirePlaylists([req.playlistId]);
    const added = await this.em.transactional(async (tx) => {
      const stage = await this.lockAsHost(tx, req.id, req.actor.id);
      const [{ n, next }] = await tx.execute<{ n: string; next: number }[]>(
        'SELECT count(*) AS n, coalesce(max(position) + 1, 0) AS next FROM stages.stage_playlists WHERE stage_id = ?',
        [stage.id],
      );
      if (await this.hasPlaylist(tx, stage.id, playlist.id)) return false;
      if (Number(n) >= PLAYLISTS_PER_STAGE_MAX) {
        throw DomainError.conflict(StagesLocalErrorCode.TooManyPlaylists, `a stage holds at most ${PLAYLISTS_PER_STAGE_MAX} playlists`);
      }
      await this.attach(tx, stage.id, playlist, Number(next));
      return true;
    });
    return added ? this.announceUpdate(req.id) : this.presenter.stage(await StageStore.live(this.em, req.id));
  }

  /**
   * Host only. When the song playing came from that playlist, the queue moves on to the
   * song that followed it.
   */
  async removePlaylist(req: RpcRequest<'stages.stage.playlist.remove'>): Promise<StageDto> {
    assertValid(idProblems('playlistId', req.playlistId));
    const change = await this.em.transactional(async (tx): Promise<PlaybackChange | undefined> => {
      const stage = await this.lockAsHost(tx, req.id, req.actor.id);
      const [removed] = await tx.execute<{ position: number }[]>(
        'DELETE FROM stages.stage_playlists WHERE stage_id = ? AND playlist_id = ? RETURNING position',
        [stage.id, req.playlistId],
      );
      if (!removed) throw playlistNotAttached(stage.id, req.playlistId);
      await tx.execute('UPDATE stages.stages SET updated_at = now() WHERE id = ?', [stage.id], 'run');
      if (stage.cursor?.playlistPos !== removed.position) return undefined;
      return this.playback.advanceLocked(tx, stage, new Date());
    });
    if (change) this.playback.announce(req.id, playbackAt(change.clock, new Date()));
    return this.announceUpdate(req.id);
  }

  /** Presents the stage as it is now and tells its subscribers (`stage:updated`). */
  private async announceUpdate(stageId: number): Promise<StageDto> {
    const stage = await this.presenter.stage(await StageStore.live(this.em, stageId));
    this.realtime.publish(stageId, 'stage:updated', stage);
    return stage;
  }

  private async afterEnd(stageId: number, ended: { coverKey: string | null } | undefined): Promise<void> {
    if (!ended) return;
    this.realtime.publish(stageId, 'stage:ended', { stageId });
    if (ended.coverKey) await this.store.discard(ended.coverKey);
  }

  private async lockAsHost(tx: EntityManager, stageId: number, actorId: number): Promise<StageRow> {
    const stage = await StageStore.lockLive(tx, stageId);
    if (stage.hostId !== actorId) throw notHost(stage.id);
    return stage;
  }

  private async isKicked(em: EntityManager, stageId: number, userId: number): Promise<boolean> {
    const rows = await em.execute<{ one: number }[]>('SELECT 1 AS one FROM stages.stage_kicks WHERE stage_id = ? AND user_id = ?', [
      stageId,
      userId,
    ]);
    return rows.length > 0;
  }

  private async hasPlaylist(tx: EntityManager, stageId: number, playlistId: number): Promise<boolean> {
    const rows = await tx.execute<{ one: number }[]>(
      'SELECT 1 AS one FROM stages.stage_playlists WHERE stage_id = ? AND playlist_id = ?',
      [stageId, playlistId],
    );
    return rows.length > 0;
  }

  private async attach(tx: EntityManager, stageId: number, playlist: PlaylistSummaryDto, position: number): Promise<void> {
    await tx.execute(
      'INSERT INTO stages.stage_playlists (stage_id, playlist_id, position, name) VALUES (?, ?, ?, ?)',
      [stageId, playlist.id, position, playlist.name],
      'run',
    );
  }

  private async setGenres(tx: EntityManager, stageId: number, genres: GenreDto[]): Promise<void> {
    await tx.execute('DELETE FROM stages.stage_genres WHERE stage_id = ?', [stageId], 'run');
    for (const genre of genres) {
      await tx.execute('INSERT INTO stages.stage_genres (stage_id, genre_id, name) VALUES (?, ?, ?)', [stageId, genre.id, genre.name], 'run');
    }
  }
}

