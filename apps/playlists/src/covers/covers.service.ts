import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { PlaylistDto, RpcRequest } from '@octave/contracts';
import { adoptStagedUpload, IMAGE_TYPES, ObjectStore } from '@octave/platform/storage';
import { SERVICE_CONFIG } from '@octave/platform/service';
import type { PlaylistsConfig } from '../config.js';
import { PlaylistPresenter } from '../playlists/playlist.presenter.js';
import { PlaylistsService } from '../playlists/playlists.service.js';

/** Where a playlist's cover lives: a fresh key per upload, so URLs never serve a stale image. */
export function coverKey(playlistId: number, ext: string): string {
  return `covers/playlists/${playlistId}/${randomUUID()}.${ext}`;
}

@Injectable()
export class CoversService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(SERVICE_CONFIG) private readonly config: PlaylistsConfig,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    private readonly playlists: PlaylistsService,
    private readonly presenter: PlaylistPresenter,
  ) {}

  /**
   * Adopts the object the gateway staged as the playlist's cover. The staged object is
   * consumed whatever the outcome. The cover it replaces is removed once the change is
   * committed, so a failure there only leaves an orphan behind, never a playlist
   * pointing at a missing cover.
   */
  async set(req: RpcRequest<'playlists.playlist.cover.set'>): Promise<PlaylistDto> {
    const { actor, id, stagingKey } = req;
    const { key } = await adoptStagedUpload(this.store, stagingKey, {
      accepted: IMAGE_TYPES,
      maxBytes: this.config.MAX_COVER_BYTES,
      what: 'cover',
      // Checked before adopting too, so a stranger's upload is never copied.
      authorize: async () => {
        await this.playlists.requireOwned(id, actor);
      },
      destination: (ext) => coverKey(id, ext),
    });

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
      await this.store.discard(key);
      throw err;
    }
    if (replaced) await this.store.discard(replaced);
    return this.presenter.playlist(playlist);
  }
}
