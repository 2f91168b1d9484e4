import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DomainError } from '../bus/errors.js';
import { ObjectNotFoundError, type ObjectStore } from './object-store.js';
import { SNIFF_BYTES, sniffMedia, sniffType, type SniffedMedia } from './sniff.js';

/**
 * Uploads travel in two steps, and the bytes are written once: the gateway streams the
 * file to `uploads/<uploader id>/<uuid>`, tagged `octave-upload=staged`; the owning
 * service checks it and adopts it where it is, by removing the tag, or deletes it. An
 * object still tagged is an upload no service took (the gateway died, or the service's
 * answer never came): a bucket lifecycle rule on the tag expires those
 * (docs/operations.md).
 *
 * Only objects still tagged, and staged by the same user, can be adopted or are deleted
 * on refusal, so a request can never make a service take over, or delete, a live object
 * or somebody else's upload.
 */
const STAGING_KEY = /^uploads\/([1-9][0-9]{0,15})\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The tag that marks an upload no service has adopted yet. */
export const STAGED_TAG = { key: 'octave-upload', value: 'staged' } as const;

/** A fresh key for the gateway to stage an upload of `uploaderId` under. */
export function newStagingKey(uploaderId: number): string {
  return `uploads/${uploaderId}/${randomUUID()}`;
}

/** Whether `key` has the form of a staging key (of `uploaderId`, when given). */
export function isStagingKey(key: unknown, uploaderId?: number): key is string {
  if (typeof key !== 'string') return false;
  const match = STAGING_KEY.exec(key);
  return match !== null && (uploaderId === undefined || match[1] === String(uploaderId));
}

/** Codes of upload failures, the same in every service. */
export const UploadErrorCode = {
  InvalidStagingKey: 'VALIDATION_FAILED',
  NotFound: 'UPLOAD_NOT_FOUND',
  TooLarge: 'UPLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
} as const;

/**
 * Streams `body` to a fresh staging key, tagged as staged, with the type sniffed from
 * its first bytes as its `Content-Type` (`application/octet-stream` when unknown): the
 * object is served as it is once adopted, and the adopting service checks the type
 * again. Throws what `putStream` throws; nothing is stored then.
 */
export async function stageUpload(
  store: ObjectStore,
  body: Readable,
  opts: { maxBytes: number; uploaderId: number },
): Promise<{ key: string; sizeBytes: number }> {
  return store.putStream(newStagingKey(opts.uploaderId), body, {
    maxBytes: opts.maxBytes,
    tags: { [STAGED_TAG.key]: STAGED_TAG.value },
    contentType: async (head) => (await sniffType(head.subarray(0, SNIFF_BYTES)))?.mime ?? 'application/octet-stream',
  });
}

/** Whether `key` names an upload no service has adopted. */
export async function isStaged(store: ObjectStore, key: unknown): Promise<boolean> {
  if (!isStagingKey(key)) return false;
  const tags = await store.tags(key);
  return tags?.[STAGED_TAG.key] === STAGED_TAG.value;
}

/**
 * Removes a staged upload unless a service adopted it: the clean-up for a hand-over
 * whose service refused or never got the request. Never removes an adopted object. A
 * failure only leaves the upload to the lifecycle rule (logged by the store).
 */
export async function discardStagedUpload(store: ObjectStore, key: string): Promise<void> {
  let staged: boolean;
  try {
    staged = await isStaged(store, key);
  } catch {
    return;
  }
  if (staged) await store.discard(key);
}

/** A staged upload whose type is known, as `inspect` and `keep` see it. */
export interface StagedObject {
  key: string;
  sizeBytes: number;
  /** The type sniffed from its first bytes: one of `accepted`. */
  media: SniffedMedia;
}

export interface AdoptOptions<D> {
  /** The user the request is made for: only an upload they staged is taken. */
  uploaderId: number;
  /** MIME types taken (as `sniffMedia` reports them), e.g. `IMAGE_TYPES`. */
  accepted: readonly string[];
  maxBytes: number;
  /** What the upload is for, in error messages: `avatar`, `cover`. */
  what: string;
  /**
   * Checks of the request itself (whether the caller may set what the upload is for,
   * its other fields), once the key is known to name a staged upload and before its
   * content is read. What it throws is thrown and the staged object removed.
   */
  check?: () => Promise<void>;
  /**
   * Checks of the content beyond its type (e.g. reading an audio file's duration); what
   * it returns is handed to `keep` as `details`. What it throws is thrown and the staged
   * object removed.
   */
  inspect?: (object: StagedObject) => Promise<D>;
  /** The 415's message; default: `<what> must be one of <accepted>`. */
  unsupportedMessage?: string;
}

/**
 * Adopts a staged upload in place: checks it was staged by `uploaderId` and is still
 * staged (else 400, touching nothing), runs `check`, refuses it past `maxBytes` (413)
 * or unless its type sniffed from its first bytes (never its name or declared type) is
 * in `accepted` (415), runs `inspect`, makes sure it is served with the sniffed type,
 * removes its staged tag, and then calls `keep`, which records the key (a transaction
 * that commits last). If anything after the staged check fails, `keep` included, the
 * object is removed, so nothing is left behind.
 */
export async function adoptStagedUpload<D, T>(
  store: ObjectStore,
  stagingKey: unknown,
  opts: AdoptOptions<D>,
  keep: (object: StagedObject & { details: D }) => Promise<T>,
): Promise<T> {
  if (!isStagingKey(stagingKey, opts.uploaderId)) {
    throw DomainError.badRequest(UploadErrorCode.InvalidStagingKey, 'stagingKey must name an upload of the caller');
  }
  const notFound = () => DomainError.badRequest(UploadErrorCode.NotFound, 'the uploaded file was not found');
  // An adopted object (untagged) is never touched: not read, not removed.
  if (!(await isStaged(store, stagingKey))) throw notFound();
  try {
    await opts.check?.();
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
        opts.unsupportedMessage ?? `${opts.what} must be one of ${opts.accepted.join(', ')}`,
      );
    }
    const object: StagedObject = { key: stagingKey, sizeBytes: info.sizeBytes, media };
    const details = opts.inspect ? await opts.inspect(object) : (undefined as D);
    // The gateway stores the sniffed type with the upload; anything else (an upload
    // staged another way) is corrected in place, a copy onto itself.
    if (info.contentType !== media.mime) await store.copy(stagingKey, stagingKey, media.mime);
    // From here the object is no longer the lifecycle rule's to expire: it is removed
    // below unless `keep` records it.
    await store.removeTags(stagingKey);
    return await keep({ ...object, details });
  } catch (err) {
    await store.discard(stagingKey);
    throw err;
  }
}
