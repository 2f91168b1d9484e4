import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import {
  isId,
  PlaylistsErrorCode,
  type Actor,
  type Page,
  type PlaylistDto,
  type PlaylistSummaryDto,
  type RpcRequest,
} from '@octave/contracts';
import { charLength, DomainError, idProblems, pageLimitProblems } from '@octave/platform/bus';
import { Outbox } from '@octave/platform/events';
import { OUTBOX } from '@octave/platform/service';
import { ObjectStore } from '@octave/platform/storage';
import { Owners } from '../owners/owners.js';
import { assertValid } from '../validation.js';
import { decodePlaylistCursor, encodePlaylistCursor } from './playlist-cursor.js';
import { Playlist } from './playlist.entity.js';
import { PlaylistPresenter } from './playlist.presenter.js';
import { notPlaylistOwner, playlistNotFound } from './playlists.errors.js';

export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 1000;
/** More ids than this in one `getMany` is a caller bug, not a page. */
const MAX_GET_MANY = 1000;

function nameProblems(name: unknown): string[] {
  if (typeof name !== 'string') return ['name must be a string'];
  const length = charLength(name.trim());
  return length >= 1 && length <= NAME_MAX ? [] : [`name must be 1 to ${NAME_MAX} characters long (after trimming)`];
}

function descriptionProblems(description: unknown): string[] {
  if (description === undefined || description === null) return [];
  if (typeof description !== 'string') return ['description must be a string or null'];
  return charLength(description) <= DESCRIPTION_MAX ? [] : [`description must be at most ${DESCRIPTION_MAX} characters long`];
}

/** Playlists themselves: creation, reading, renaming, deletion, and what stages ask. */
@Injectable()
export class PlaylistsService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'playlists'>,
    private readonly owners: Owners,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    private readonly presenter: PlaylistPresenter,
  ) {}

  async create(req: RpcRequest<'playlists.playlist.create'>): Promise<PlaylistDto> {
    assertValid([...nameProblems(req.name), ...descriptionProblems(req.description)]);
    const playlist = await this.em.transactional(async (tx) => {
      await this.owners.lockLive(tx, req.actor);
      const playlist = tx.create(Playlist, {
        ownerId: req.actor.id,
        name: req.name.trim(),
        description: req.description ?? null,
        coverKey: null,
      });
      await tx.flush();
      return playlist;
    });
    return this.presenter.playlist(playlist);
  }

  async get(id: number): Promise<PlaylistDto> {
    return this.presenter.withSongs(await this.find(id));
  }

  /** Newest first, keyset-paged on the id, one row more than asked to know whether another page follows. */
  async listByOwner(req: RpcRequest<'playlists.playlist.listByOwner'>): Promise<Page<PlaylistDto>> {
    assertValid([...idProblems('ownerId', req.ownerId), ...pageLimitProblems(req.limit)]);
    const before = req.cursor ? decodePlaylistCursor(req.cursor) : undefined;
    const playlists = await this.em.find(
      Playlist,
      { ownerId: req.ownerId, ...(before !== undefined ? { id: { $lt: before } } : {}) },
      { orderBy: { id: 'desc' }, limit: req.limit + 1 },
    );
    // Nothing at all: tell "no playlists yet" from "no such user".
    if (playlists.length === 0 && before === undefined) await this.owners.requireExists(req.ownerId);
    const items = playlists.slice(0, req.limit);
    const last = items.at(-1);
    return {
      items: await this.presenter.playlists(items),
      nextCursor: playlists.length > req.limit && last ? encodePlaylistCursor(last.id) : null,
    };
  }

  async update(req: RpcRequest<'playlists.playlist.update'>): Promise<PlaylistDto> {
    assertValid([
      ...(req.name !== undefined ? nameProblems(req.name) : []),
      ...descriptionProblems(req.description),
    ]);
    const playlist = await this.em.transactional(async (tx) => {
      const playlist = await this.findOwned(tx, req.id, req.actor);
      if (req.name !== undefined) playlist.name = req.name.trim();
      if (req.description !== undefined) playlist.description = req.description;
      // Only a real change is written, and only it moves updatedAt.
      await tx.flush();
      return playlist;
    });
    return this.presenter.playlist(playlist);
  }

  /** Deletes the playlist (its entries go with it) and announces it, then removes its cover. */
  async delete(req: RpcRequest<'playlists.playlist.delete'>): Promise<{ ok: true }> {
    const coverKey = await this.em.transactional(async (tx) => {
      const playlist = await this.findOwned(tx, req.id, req.actor);
      await tx.execute('DELETE FROM playlists.playlists WHERE id = ?', [playlist.id], 'run');
      await this.outbox.record(tx, 'playlist.deleted', { playlistId: playlist.id, ownerId: playlist.ownerId });
      return playlist.coverKey ?? null;
    });
    if (coverKey) await this.store.discard(coverKey);
    return { ok: true };
  }

  /** In the order asked, each once; unknown ids are left out. */
  async getMany(ids: number[]): Promise<PlaylistSummaryDto[]> {
    if (!Array.isArray(ids) || ids.length > MAX_GET_MANY || !ids.every(isId)) {
      throw DomainError.badRequest(
        PlaylistsErrorCode.ValidationFailed,
        `ids must be at most ${MAX_GET_MANY} positive integers`,
      );
    }
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const playlists = await this.em.find(Playlist, { id: { $in: wanted } });
    const byId = new Map(playlists.map((p) => [p.id, p]));
    return wanted.flatMap((id) => {
      const playlist = byId.get(id);
      return playlist ? [{ id: playlist.id, name: playlist.name, ownerId: playlist.ownerId }] : [];
    });
  }

  async songIds(id: number): Promise<{ id: number; songIds: number[] }> {
    const playlist = await this.find(id);
    const rows = await this.em.execute<{ song_id: number }[]>(
      'SELECT song_id FROM playlists.playlist_songs WHERE playlist_id = ? ORDER BY position',
      [playlist.id],
    );
    return { id: playlist.id, songIds: rows.map((r) => r.song_id) };
  }

  async find(id: number): Promise<Playlist> {
    const playlist = isId(id) ? await this.em.findOne(Playlist, id) : null;
    if (!playlist) throw playlistNotFound(id);
    return playlist;
  }

  /**
   * The playlist, locked for the rest of the transaction, if the actor owns it. Every
   * change of a playlist or of its entries starts here, so changes of one playlist run
   * one after the other and each sees the positions the one before left.
   */
  async findOwned(tx: EntityManager, id: number, actor: Actor): Promise<Playlist> {
    // `refresh`: a copy read earlier in this request must not hide what was committed since.
    const playlist = isId(id)
      ? await tx.findOne(Playlist, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
      : null;
    if (!playlist) throw playlistNotFound(id);
    if (playlist.ownerId !== actor.id) throw notPlaylistOwner(id);
    return playlist;
  }

  /** The same checks without a lock, to fail fast before slower work (a catalog call, an upload). */
  async requireOwned(id: number, actor: Actor): Promise<Playlist> {
    const playlist = await this.find(id);
    if (playlist.ownerId !== actor.id) throw notPlaylistOwner(id);
    return playlist;
  }
}
