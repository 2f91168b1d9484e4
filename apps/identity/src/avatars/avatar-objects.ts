import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ObjectStore } from '@octave/platform/storage';
import { SERVICE_LOGGER } from '@octave/platform/service';
import type { Logger } from '@octave/platform/observability';

/** Where a user's avatar objects live: a fresh key per upload, so URLs never serve a stale image. */
export function avatarKey(userId: number, ext: string): string {
  return `avatars/${userId}/${randomUUID()}.${ext}`;
}

/** Avatar objects in the store, with removals that never fail the request that asked. */
@Injectable()
export class AvatarObjects {
  constructor(
    @Inject(ObjectStore) readonly store: ObjectStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Removes an object that is no longer referenced. Runs after the database change is
   * committed, so a failure here only leaves an orphan object behind (logged), never a
   * user pointing at a missing avatar.
   */
  async removeObject(key: string): Promise<void> {
    try {
      await this.store.remove(key);
    } catch (err) {
      this.logger.warn({ err, key }, 'could not remove an unreferenced object; it is left behind');
    }
  }
}
