import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@octave/platform/bus';
import type { Logger } from '@octave/platform/observability';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@octave/platform/service';
import { IMAGE_TYPES, ObjectNotFoundError, ObjectStore, SNIFF_BYTES, sniffMedia } from '@octave/platform/storage';
import type { StagesConfig } from '../config.js';
import { StagesLocalErrorCode } from './stages.errors.js';

const STAGING_KEY = /^staging\/[^/]+$/;

/** Where a stage's cover lives: a fresh key per upload, so URLs never serve a stale image. */
export function coverKey(stageId: number, ext: string): string {
  return `stage-covers/${stageId}/${randomUUID()}.${ext}`;
}

const uploadNotFound = () => DomainError.badRequest(StagesLocalErrorCode.UploadNotFound, 'the uploaded file was not found');

/** Stage cover objects: adopting a staged upload, and removals that never fail a request. */
@Injectable()
export class StageCovers {
  constructor(
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(SERVICE_CONFIG) private readonly config: StagesConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** 400 unless `stagingKey` names a staged upload: nothing else may be adopted (and then removed). */
  assertStagingKey(stagingKey: unknown): asserts stagingKey is string {
    if (typeof stagingKey !== 'string' || !STAGING_KEY.test(stagingKey)) {
      throw DomainError.badRequest(StagesLocalErrorCode.ValidationFailed, 'stagingKey must name an object under staging/');
    }
  }

  /**
   * Checks the staged object (size, sniffed type) and copies it to a new cover key,
   * which it returns. The caller removes the staged object.
   */
  async adopt(stageId: number, stagingKey: string): Promise<string> {
    const info = await this.store.stat(stagingKey);
    if (!info) throw uploadNotFound();
    if (info.sizeBytes > this.config.MAX_COVER_BYTES) {
      throw new DomainError(StagesLocalErrorCode.CoverTooLarge, 413, `cover must be at most ${this.config.MAX_COVER_BYTES} bytes`);
    }
    let media;
    try {
      media = await sniffMedia(await this.store.readHead(stagingKey, SNIFF_BYTES), IMAGE_TYPES);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) throw uploadNotFound();
      throw err;
    }
    if (!media) {
      throw DomainError.unsupportedMediaType(StagesLocalErrorCode.UnsupportedMediaType, 'cover must be a PNG, JPEG or WebP image');
    }
    const key = coverKey(stageId, media.ext);
    // The sniffed type, not whatever the uploader claimed, is what clients are served.
    await this.store.copy(stagingKey, key, media.mime);
    return key;
  }

  /**
   * Removes an object nothing refers to any more. Runs after the database change, so a
   * failure only leaves an orphan object behind (logged), never a stage without its cover.
   */
  async remove(key: string | null | undefined): Promise<void> {
    if (!key) return;
    try {
      await this.store.remove(key);
    } catch (err) {
      this.logger.warn({ err, key }, 'could not remove an unreferenced object; it is left behind');
    }
  }
}
