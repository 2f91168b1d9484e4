import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { PlaylistsErrorCode, type PlaylistDto, type RpcRequest } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';
import { IMAGE_TYPES, ObjectNotFoundError, SNIFF_BYTES, sniffMedia } from '@octave/platform/storage';
import { SERVICE_CONFIG } from '@octave/platform/service';
import type { PlaylistsConfig } from '../config.js';
import { PlaylistPresenter } from '../playlists/playlist.presenter.js';
import { PlaylistsService } from '../playlists/playlists.service.js';
import { CoverObjects, coverKey } from './cover-objects.js';

/** Only staged uploads are adopted (and then removed): never a live object of any service. */
const STAGING_KEY = /^staging\/[^/]+$/;

const uploadNotFound = () => DomainError.badRequest(PlaylistsErrorCode.UploadNotFound, 'the uploaded file was not found');

@Injectable()
export class CoversService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(SERVICE_CONFIG) private readonly config: PlaylistsConfig,
    private readonly playlists: PlaylistsService,
    private readonly objects: CoverObjects,
    private readonly presenter: PlaylistPresenter,
  ) {}

  /**
   * Adopts the object the gateway staged as the playlist's cover. The staged object is
   * always consumed: copied to the cover's own key when it is an accepted image within
   * the size limit, removed in every case. The cover it replaces is removed once the
   * change is committed.
   */
  async set(req: RpcRequest<'playlists.playlist.cover.set'>): Promise<PlaylistDto> {
    const { actor, id, stagingKey } = req;
    if (typeof stagingKey !== 'string' || !STAGING_KEY.test(stagingKey)) {
      throw DomainError.badRequest(PlaylistsErrorCode.ValidationFailed, 'stagingKey must name an object under staging/');
    }
    let key: string;
    try {
      await this.playlists.requireOwned(id, actor);
      key = await this.adopt(id, stagingKey);
    } finally {
      await this.objects.removeObject(stagingKey);
    }

    let replaced: string | null;
    let playlist;
    try {
      ({ playlist, replaced } = await this.em.transactional(async (tx) => {
        // Locked, so concurrent changes of one cover each see (and clean up) the one before.
        const playlist = await this.playlists.findOwned(tx, id, actor);
        const replaced = playlist.coverKey ?? null;
        playlist.coverKey = key;
        await tx.flush();
        return { playlist, replaced };
      }));
    } catch (err) {
      await this.objects.removeObject(key);
      throw err;
    }
    if (replaced) await this.objects.removeObject(replaced);
    return this.presenter.playlist(playlist);
  }

  /** Checks the staged object and copies it to a new cover key, which it returns. */
  private async adopt(playlistId: number, stagingKey: string): Promise<string> {
    const { store } = this.objects;
    const info = await store.stat(stagingKey);
    if (!info) throw uploadNotFound();
    if (info.sizeBytes > this.config.MAX_COVER_BYTES) {
      throw new DomainError(
        PlaylistsErrorCode.CoverTooLarge,
        413,
        `cover must be at most ${this.config.MAX_COVER_BYTES} bytes`,
      );
    }
    let media;
    try {
      media = await sniffMedia(await store.readHead(stagingKey, SNIFF_BYTES), IMAGE_TYPES);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) throw uploadNotFound();
      throw err;
    }
    if (!media) {
      throw DomainError.unsupportedMediaType(
        PlaylistsErrorCode.UnsupportedMediaType,
        'cover must be a PNG, JPEG or WebP image',
      );
    }
    const key = coverKey(playlistId, media.ext);
    // The sniffed type, not whatever the uploader claimed, is what clients are served.
    await store.copy(stagingKey, key, media.mime);
    return key;
  }
}
