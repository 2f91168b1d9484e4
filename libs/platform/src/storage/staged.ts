import { randomUUID } from 'node:crypto';
import { DomainError } from '../bus/errors.js';
import { ObjectNotFoundError, type ObjectStore } from './object-store.js';
import { SNIFF_BYTES, sniffMedia } from './sniff.js';

/**
 * Uploads travel in two steps: the gateway streams the file under `staging/<uuid>`, the
 * owning service checks it and adopts it under its own key. Only staged objects can be
 * adopted, so a request can never make a service take over (or delete) a live object.
 */
const STAGING_KEY = /^staging\/[0-9a-f-]{36}$/;

/** A fresh key for the gateway to stage an upload under. */
export function newStagingKey(): string {
  return `staging/${randomUUID()}`;
}

export function isStagingKey(key: unknown): key is string {
  return typeof key === 'string' && STAGING_KEY.test(key);
}

/** Codes of upload failures, the same in every service. */
export const UploadErrorCode = {
  InvalidStagingKey: 'VALIDATION_FAILED',
  NotFound: 'UPLOAD_NOT_FOUND',
  TooLarge: 'UPLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
} as const;

export interface AdoptedObject {
  key: string;
  mime: string;
  sizeBytes: number;
}

export interface AdoptOptions {
  /** MIME types taken, e.g. `IMAGE_TYPES`. */
  accepted: readonly string[];
  maxBytes: number;
  /** What the upload is for, in error messages: `avatar`, `cover`. */
  what: string;
  /** The object's own key, given the sniffed type's extension. */
  destination: (ext: string) => string;
  /**
   * Runs once the key is known to name a staged upload, before it is read: whether the
   * caller may set what the upload is for. What it throws is thrown, nothing is copied,
   * and the staged object is removed all the same.
   */
  authorize?: () => Promise<void>;
}

/**
 * Checks a staged upload (at most `maxBytes`, of a type in `accepted` sniffed from its
 * first bytes, never from its name or declared type) and copies it to
 * `destination(ext)`, served with the sniffed type. The staged object is removed
 * whatever the outcome. Throws 400 for a bad or missing staging key, 413 and 415.
 */
export async function adoptStagedUpload(store: ObjectStore, stagingKey: unknown, opts: AdoptOptions): Promise<AdoptedObject> {
  if (!isStagingKey(stagingKey)) {
    throw DomainError.badRequest(UploadErrorCode.InvalidStagingKey, 'stagingKey must name a staged upload');
  }
  const notFound = () => DomainError.badRequest(UploadErrorCode.NotFound, 'the uploaded file was not found');
  try {
    await opts.authorize?.();
    const info = await store.stat(stagingKey);
    if (!info) throw notFound();
    if (info.sizeBytes > opts.maxBytes) {
      throw new DomainError(UploadErrorCode.TooLarge, 413, `${opts.what} must be at most ${opts.maxBytes} bytes`);
    }
    const head = await store.readHead(stagingKey, SNIFF_BYTES).catch((err: unknown) => {
      throw err instanceof ObjectNotFoundError ? notFound() : err;
    });
    const media = await sniffMedia(head, opts.accepted);
    if (!media) {
      throw DomainError.unsupportedMediaType(
        UploadErrorCode.UnsupportedMediaType,
        `${opts.what} must be one of ${opts.accepted.join(', ')}`,
      );
    }
    const key = opts.destination(media.ext);
    await store.copy(stagingKey, key, media.mime);
    return { key, mime: media.mime, sizeBytes: info.sizeBytes };
  } finally {
    await store.discard(stagingKey);
  }
}
