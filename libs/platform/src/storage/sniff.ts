import { fileTypeFromBuffer } from 'file-type';

/** Image types Octave accepts for avatars and covers. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** How much of a file to read for `sniffMedia`: enough for every format file-type knows. */
export const SNIFF_BYTES = 4100;

/** A detected media type. */
export interface SniffedMedia {
  mime: string;
  /** Canonical extension without a dot, e.g. `jpg`. */
  ext: string;
}

/**
 * Detects a file's type from its first bytes (magic numbers), whatever it is; `null`
 * when unknown. Give it the first `SNIFF_BYTES` bytes (or the whole file if shorter).
 */
export async function sniffType(head: Uint8Array): Promise<SniffedMedia | null> {
  if (head.length === 0) return null;
  const detected = await fileTypeFromBuffer(head);
  return detected ? { mime: detected.mime, ext: detected.ext } : null;
}

/**
 * Detects a file's type from its first bytes (magic numbers), ignoring whatever name or
 * Content-Type the uploader claimed. Returns `null` if the type is unknown or not one of
 * `accepted` (MIME types).
 */
export async function sniffMedia(head: Uint8Array, accepted: readonly string[]): Promise<SniffedMedia | null> {
  const detected = await sniffType(head);
  return detected && accepted.includes(detected.mime) ? detected : null;
}
