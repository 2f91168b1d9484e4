import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { PlaylistDto, RpcRequest } from '@octave/contracts';
import { adoptStagedUpload, IMAGE_TYPES, ObjectStore } from '@octave/platform/storage';
import { SERVICE_CONFIG } from '@octave/platform/service';
import type { PlaylistsConfig } from '../config.js';
import { PlaylistPresenter } from '../playlists/playlist.presenter.js';
import { PlaylistsService } from '../playlists/playlists.service.js';

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
   * Adopts the image the gateway staged, in place, as the playlist's cover (it is
   * removed if it is not taken). The cover it replaces is removed once the change is
   * committed, so a failure there only leaves an orphan behind, never a playlist
   * pointing at a missing cover.
   */
  async set(req: RpcRequest<'playlists.playlist.cover.set'>): Promise<PlaylistDto> {
    const { actor, id, stagingKey } = req;
    const { playlist, replaced } = await adoptStagedUpload(
      this.store,
      stagingKey,
      {
        uploaderId: actor.id,
        accepted: IMAGE_TYPES,
        maxBytes: this.config.MAX_COVER_BYTES,
        what: 'cover',
        // Checked before reading the upload too, so a stranger's upload is never looked at.
        check: async () => {
          await this.playlists.requireOwned(id, actor);
        },
      },
      ({ key }) =>
        this.em.transactional(async (tx) => {
          // Locked, so concurrent changes of one cover each see (and clean up) the one before.
          const playlist = await this.playlists.findOwned(tx, id, actor);
          const replaced = playlist.coverKey ?? null;
          playlist.coverKey = key;
          await tx.flush();
          return { playlist, replaced };
        }),
    );
    if (replaced) await this.store.discard(replaced);
    return this.presenter.playlist(playlist);
  }
}
