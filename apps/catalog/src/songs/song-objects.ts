import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@octave/platform/observability';
import { ObjectStore } from '@octave/platform/storage';
import { SERVICE_LOGGER } from '@octave/platform/service';

/** Where the audio of a song lives: a fresh key per upload, under its uploader. */
export function songKey(uploaderId: number, ext: string): string {
  return `songs/${uploaderId}/${randomUUID()}.${ext}`;
}

/** Song audio objects in the store, with removals that never fail the request that asked. */
@Injectable()
export class SongObjects {
  constructor(
    @Inject(ObjectStore) readonly store: ObjectStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Removes an object nothing refers to any more. Runs after the database change, so a
   * failure only leaves an orphan object behind (logged), never a song without audio.
   */
  async removeObject(key: string): Promise<void> {
    try {
      await this.store.remove(key);
    } catch (err) {
      this.logger.warn({ err, key }, 'could not remove an unreferenced object; it is left behind');
    }
  }
}
