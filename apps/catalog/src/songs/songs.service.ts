import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import {
  CatalogErrorCode,
  isId,
  type Actor,
  type Page,
  type RpcRequest,
  type SongDto,
  type SongStreamInfo,
} from '@octave/contracts';
import { DomainError, pageLimitProblems, textProblems } from '@octave/platform/bus';
import { Outbox } from '@octave/platform/events';
import { OUTBOX, SERVICE_CONFIG } from '@octave/platform/service';
import { adoptStagedUpload, ObjectStore } from '@octave/platform/storage';
import type { CatalogConfig } from '../config.js';
import { genreIdsProblems, GenresService } from '../genres/genres.service.js';
import { assertValid } from '../validation.js';
import { inspectAudio, SNIFFED_AUDIO_TYPES } from './audio.js';
import { decodeSongCursor, encodeSongCursor } from './song-cursor.js';
import { Song } from './song.entity.js';
import { uploaders } from '../uploaders/uploaders.js';
import { SongPresenter } from './song.presenter.js';
import { accountDeleted, notSongOwner, songNotFound, UNSUPPORTED_AUDIO_MESSAGE, unsupportedAudio } from './songs.errors.js';

export const TITLE_MAX = 200;
export const ARTIST_MAX = 200;
export const GENRES_PER_SONG_MAX = 10;
export const SEARCH_MAX = 100;
/** More ids than this in one `getMany` is a caller bug, not a page. */
const MAX_GET_MANY = 1000;

/** A LIKE pattern matching values that contain `text` literally (`\` is the escape). */
export function likeContainsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

@Injectable()
export class SongsService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'catalog'>,
    @Inject(SERVICE_CONFIG) private readonly config: CatalogConfig,
    private readonly genres: GenresService,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    private readonly presenter: SongPresenter,
  ) {}

  /**
   * Adopts the staged upload as a new song, in place (`adoptStagedUpload`): the object
   * the gateway staged becomes the song's audio, and it is removed if the song is not
   * created (invalid fields, unknown genres, not audio, a deleted account), so a failure
   * at any step leaves no object behind.
   */
  async create(req: RpcRequest<'catalog.song.create'>): Promise<SongDto> {
    const { actor } = req;
    let genreIds: number[] = [];
    return adoptStagedUpload(
      this.store,
      req.stagingKey,
      {
        uploaderId: actor.id,
        accepted: SNIFFED_AUDIO_TYPES,
        maxBytes: this.config.MAX_UPLOAD_BYTES,
        what: 'file',
        unsupportedMessage: UNSUPPORTED_AUDIO_MESSAGE,
        check: async () => {
          assertValid([
            ...textProblems('title', req.title, TITLE_MAX),
            ...textProblems('artist', req.artist, ARTIST_MAX),
            ...genreIdsProblems(req.genreIds, GENRES_PER_SONG_MAX),
          ]);
          genreIds = await this.genres.requireAll(req.genreIds);
        },
        inspect: async (object) => {
          const audio = await inspectAudio(this.store, object);
          if (!audio) throw unsupportedAudio();
          return audio;
        },
      },
      // The sniffed type, not whatever the uploader claimed, is what clients are served.
      ({ key, sizeBytes, details: audio }) =>
        this.em.transactional(async (tx) => {
          // Share-locked until the commit: the `user.deleted` handler then sees this song and deletes it, or this upload sees the tombstone.
          if (!(await uploaders.lockLive(tx, actor))) throw accountDeleted();
          const song = tx.create(Song, {
            title: req.title.trim(),
            artist: req.artist.trim(),
            uploaderId: actor.id,
            objectKey: key,
            durationMs: audio.durationMs,
            mimeType: audio.mimeType,
            sizeBytes,
          });
          await tx.flush();
          await this.setGenres(tx, song.id, genreIds);
          await this.outbox.record(tx, 'song.created', {
            songId: song.id,
            uploaderId: actor.id,
            title: song.title,
            artist: song.artist,
            durationMs: song.durationMs,
            genreIds,
          });
          return this.present(tx, song.id);
        }),
    );
  }

  async get(id: number): Promise<SongDto> {
    const song = isId(id) ? await this.presenter.song(id) : null;
    if (!song) throw songNotFound(id);
    return song;
  }

  /** In the order asked, each once; unknown ids are left out. */
  async getMany(ids: number[]): Promise<SongDto[]> {
    if (!Array.isArray(ids) || ids.length > MAX_GET_MANY || !ids.every(isId)) {
      throw DomainError.badRequest(CatalogErrorCode.ValidationFailed, `ids must be at most ${MAX_GET_MANY} positive integers`);
    }
    return this.presenter.songs(ids);
  }

  /**
   * Newest first, keyset-paged on (created_at, id), fetching one row more than asked to
   * know whether another page follows. The substring filter uses the trigram indexes.
   */
  async search(req: RpcRequest<'catalog.song.search'>): Promise<Page<SongDto>> {
    const search = typeof req.search === 'string' ? req.search.trim() : undefined;
    assertValid([
      ...pageLimitProblems(req.limit),
      ...(req.search !== undefined && typeof req.search !== 'string' ? ['search must be a string'] : []),
      ...(search !== undefined && [...search].length > SEARCH_MAX ? [`search must be at most ${SEARCH_MAX} characters`] : []),
      ...(req.genreId !== undefined && !isId(req.genreId) ? ['genreId must be a positive integer'] : []),
      ...(req.uploaderId !== undefined && !isId(req.uploaderId) ? ['uploaderId must be a positive integer'] : []),
    ]);
    const after = req.cursor ? decodeSongCursor(req.cursor) : undefined;
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (search) {
      const pattern = likeContainsPattern(search);
      conditions.push(`(s.title ILIKE ? OR s.artist ILIKE ?)`);
      params.push(pattern, pattern);
    }
    if (req.genreId !== undefined) {
      conditions.push('EXISTS (SELECT 1 FROM catalog.song_genres sg WHERE sg.song_id = s.id AND sg.genre_id = ?)');
      params.push(req.genreId);
    }
    if (req.uploaderId !== undefined) {
      conditions.push('s.uploader_id = ?');
      params.push(req.uploaderId);
    }
    if (after) {
      conditions.push('(s.created_at, s.id) < (?::timestamptz, ?)');
      params.push(after.createdAt.toISOString(), after.id);
    }
    const rows = await this.em.execute<{ id: number }[]>(
      `SELECT s.id FROM catalog.songs s
       ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY s.created_at DESC, s.id DESC LIMIT ?`,
      [...params, req.limit + 1],
    );
    // A song deleted between the two queries is simply left out of this page.
    const items = await this.presenter.songs(rows.slice(0, req.limit).map((r) => r.id));
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > req.limit && last ? encodeSongCursor({ createdAt: new Date(last.createdAt), id: last.id }) : null,
    };
  }

  /** Changes what was given; announces what actually changed. Uploader only. */
  async update(req: RpcRequest<'catalog.song.update'>): Promise<SongDto> {
    assertValid([
      ...(req.title !== undefined ? textProblems('title', req.title, TITLE_MAX) : []),
      ...(req.artist !== undefined ? textProblems('artist', req.artist, ARTIST_MAX) : []),
      ...(req.genreIds !== undefined ? genreIdsProblems(req.genreIds, GENRES_PER_SONG_MAX) : []),
    ]);
    return this.em.transactional(async (tx) => {
      const song = await this.findOwned(tx, req.id, req.actor);
      const fields: string[] = [];
      if (req.title !== undefined && req.title.trim() !== song.title) {
        song.title = req.title.trim();
        fields.push('title');
      }
      if (req.artist !== undefined && req.artist.trim() !== song.artist) {
        song.artist = req.artist.trim();
        fields.push('artist');
      }
      let genreIds = await this.genreIdsOf(tx, song.id);
      if (req.genreIds !== undefined) {
        const wanted = await this.genres.requireAll(req.genreIds, tx);
        if (!sameSet(wanted, genreIds)) {
          await this.setGenres(tx, song.id, wanted);
          genreIds = wanted;
          fields.push('genreIds');
        }
      }
      if (fields.length === 0) return this.present(tx, song.id);
      // Genres are not a column: touch updated_at for them too.
      song.updatedAt = new Date();
      await tx.flush();
      await this.outbox.record(tx, 'song.updated', {
        songId: song.id,
        uploaderId: song.uploaderId,
        title: song.title,
        artist: song.artist,
        durationMs: song.durationMs,
        genreIds,
        fields,
      });
      return this.present(tx, song.id);
    });
  }

  /** Deletes the song and announces it in one transaction, then removes its audio. Uploader only. */
  async delete(req: RpcRequest<'catalog.song.delete'>): Promise<{ ok: true }> {
    const objectKey = await this.em.transactional(async (tx) => {
      const song = await this.findOwned(tx, req.id, req.actor);
      await tx.execute('DELETE FROM catalog.songs WHERE id = ?', [song.id], 'run');
      await this.outbox.record(tx, 'song.deleted', { songId: song.id, uploaderId: song.uploaderId });
      return song.objectKey;
    });
    await this.store.discard(objectKey);
    return { ok: true };
  }

  async streamInfo(id: number): Promise<SongStreamInfo> {
    const song = await this.find(id);
    return { objectKey: song.objectKey, mimeType: song.mimeType, sizeBytes: song.sizeBytes };
  }

  /** The song as the API shows it, read in the transaction that has just written it. */
  private async present(tx: EntityManager, id: number): Promise<SongDto> {
    const song = await this.presenter.song(id, tx);
    if (!song) throw new Error(`song ${id} vanished inside its own transaction`);
    return song;
  }

  private async find(id: number): Promise<Song> {
    const song = isId(id) ? await this.em.findOne(Song, id) : null;
    if (!song) throw songNotFound(id);
    return song;
  }

  /** The song, locked for the rest of the transaction, if the actor uploaded it. */
  private async findOwned(tx: EntityManager, id: number, actor: Actor): Promise<Song> {
    const song = isId(id) ? await tx.findOne(Song, id, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (!song) throw songNotFound(id);
    if (song.uploaderId !== actor.id) throw notSongOwner(id);
    return song;
  }

  private async genreIdsOf(tx: EntityManager, songId: number): Promise<number[]> {
    const rows = await tx.execute<{ genre_id: number }[]>(
      'SELECT genre_id FROM catalog.song_genres WHERE song_id = ? ORDER BY genre_id',
      [songId],
    );
    return rows.map((r) => r.genre_id);
  }

  private async setGenres(tx: EntityManager, songId: number, genreIds: number[]): Promise<void> {
    await tx.execute('DELETE FROM catalog.song_genres WHERE song_id = ?', [songId], 'run');
    if (genreIds.length === 0) return;
    await tx.execute(
      `INSERT INTO catalog.song_genres (song_id, genre_id) SELECT ?, unnest(?::int[])`,
      [songId, `{${genreIds.join(',')}}`],
      'run',
    );
  }
}

function sameSet(a: number[], b: number[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((x) => set.has(x));
}
