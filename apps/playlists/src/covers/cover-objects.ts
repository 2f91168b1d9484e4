import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@octave/platform/observability';
import { ObjectStore } from '@octave/platform/storage';
import { SERVICE_LOGGER } from '@octave/platform/service';

/** Where a playlist's cover lives: a fresh key per upload, so URLs never serve a stale image. */
export function coverKey(playlistId: number, ext: string): string {
  return `covers/playlists/${playlistId}/${randomUUID()}.${ext}`;
}

/** Cover objects in the store, with removals that never fail the request that asked. */
@Injectable()
export class CoverObjects {
  constructor(
    @Inject(ObjectStore) readonly store: ObjectStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Removes an object nothing refers to any more. Runs after the database change is
   * committed, so a failure only leaves an orphan object behind (logged), never a
   * playlist pointing at a missing cover.
   */
  async removeObject(key: string): Promise<void> {
    try {
      await this.store.remove(key);
    } catch (err) {
      this.logger.warn({ err, key }, 'could not remove an unreferenced object; it is left behind');
    }
  }
}
