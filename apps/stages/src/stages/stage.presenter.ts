import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { GenreDto, ParticipantDto, PlaybackDto, StageDto, UserDto } from '@octave/contracts';
import { RpcCallError } from '@octave/platform/bus';
import type { Logger } from '@octave/platform/observability';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@octave/platform/service';
import { ObjectStore } from '@octave/platform/storage';
import type { StagesConfig } from '../config.js';
import { playbackAt } from '../playback/playback-clock.js';
import { RemoteServices } from '../remote/remote-services.js';
import type { StageRow } from './stage-row.js';
import { stageUsers } from './stage-store.js';

/**
 * Turns stage rows into the API's `Stage`, in a fixed number of queries and calls per
 * answer whatever the number of stages: names of hosts, genres and playlists from this
 * schema, current playlist names in one call to playlists, and (for one stage with its
 * participants) avatars in one call to identity. When those two services cannot
 * answer, the stage is still shown, with the names kept here and no avatars.
 */
@Injectable()
export class StagePresenter {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(RemoteServices) private readonly remote: RemoteServices,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(SERVICE_CONFIG) private readonly config: StagesConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  playback(row: StageRow, now = new Date()): PlaybackDto {
    return playbackAt(row.clock, now);
  }

  async stage(row: StageRow, opts: { participants?: boolean } = {}): Promise<StageDto> {
    const [dto] = await this.stages([row]);
    if (opts.participants) dto.participants = await this.participants(row.id);
    return dto;
  }

  /** In the order given. */
  async stages(rows: StageRow[]): Promise<StageDto[]> {
    if (rows.length === 0) return [];
    const now = new Date();
    const stageIds = rows.map((r) => r.id);
    const [hosts, genreRows, playlistRows] = await Promise.all([
      stageUsers.usernames(this.em, rows.map((r) => r.hostId)),
      this.em.execute<{ stage_id: number; genre_id: number; name: string }[]>(
        'SELECT stage_id, genre_id, name FROM stages.stage_genres WHERE stage_id IN (?) ORDER BY lower(name), genre_id',
        [stageIds],
      ),
      this.em.execute<{ stage_id: number; playlist_id: number; name: string }[]>(
        'SELECT stage_id, playlist_id, name FROM stages.stage_playlists WHERE stage_id IN (?) ORDER BY position',
        [stageIds],
      ),
    ]);
    const genres = groupBy(genreRows, (r): GenreDto => ({ id: r.genre_id, name: r.name }));
    const currentNames = await this.playlistNames(playlistRows.map((r) => r.playlist_id));
    const playlists = groupBy(playlistRows, (r) => ({ id: r.playlist_id, name: currentNames.get(r.playlist_id) ?? r.name }));
    return Promise.all(
      rows.map(async (row) => ({
        id: row.id,
        name: row.name,
        coverUrl: row.coverKey ? await this.store.presignedGetUrl(row.coverKey, this.config.MEDIA_URL_TTL_SECONDS) : null,
        host: { id: row.hostId, username: hosts.get(row.hostId) ?? '' },
        genres: genres.get(row.id) ?? [],
        playlists: playlists.get(row.id) ?? [],
        participantCount: row.participantCount,
        nowPlaying: playbackAt(row.clock, now),
        createdAt: row.createdAt.toISOString(),
      })),
    );
  }

  /** Everyone in the stage, in the order they joined (the host first). */
  async participants(stageId: number): Promise<ParticipantDto[]> {
    const rows = await this.em.execute<{ user_id: number; username: string }[]>(
      `SELECT p.user_id, u.username FROM stages.stage_participants p JOIN stages.users u ON u.user_id = p.user_id
       WHERE p.stage_id = ? ORDER BY p.joined_at, p.user_id`,
      [stageId],
    );
    const profiles = await this.profiles(rows.map((r) => r.user_id));
    return rows.map((r) => toParticipant(r.user_id, r.username, profiles.get(r.user_id)));
  }

  /** One participant, as `participant:joined` shows them. */
  async participant(user: { id: number; username: string }): Promise<ParticipantDto> {
    const profiles = await this.profiles([user.id]);
    return toParticipant(user.id, user.username, profiles.get(user.id));
  }

  private async profiles(ids: number[]): Promise<Map<number, UserDto>> {
    if (ids.length === 0) return new Map();
    try {
      return await this.remote.profiles(ids);
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      this.logger.warn({ err }, 'identity did not answer; participants are shown without avatars');
      return new Map();
    }
  }

  private async playlistNames(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    try {
      const found = await this.remote.playlists(ids);
      return new Map([...found.values()].map((p) => [p.id, p.name]));
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      this.logger.warn({ err }, 'playlists did not answer; stages show the playlist names they kept');
      return new Map();
    }
  }
}

function toParticipant(id: number, username: string, profile: UserDto | undefined): ParticipantDto {
  return { id, username: profile?.username ?? username, avatarUrl: profile?.avatarUrl ?? null };
}

/** A dependency that is down or slow (503/504), as opposed to a bug in the request. */
function isUnavailable(err: unknown): boolean {
  return err instanceof RpcCallError && err.status >= 503;
}

function groupBy<R extends { stage_id: number }, T>(rows: R[], map: (row: R) => T): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const list = groups.get(row.stage_id) ?? [];
    list.push(map(row));
    groups.set(row.stage_id, list);
  }
  return groups;
}
