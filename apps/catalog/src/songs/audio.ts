import { parseFromTokenizer } from 'music-metadata';
import { type ObjectStore, ObjectTokenizer, type StagedObject } from '@octave/platform/storage';

/**
 * What file-type reports for the formats the catalog accepts, and the type a song of
 * each is served with. `video/mp4` is an MP4 container of any brand; it is accepted
 * only when it turns out to hold audio alone.
 */
const ACCEPTED: Record<string, { mimeType: string }> = {
  'audio/mpeg': { mimeType: 'audio/mpeg' },
  // Vorbis, and also FLAC or Speex in Ogg.
  'audio/ogg': { mimeType: 'audio/ogg' },
  'audio/ogg; codecs=opus': { mimeType: 'audio/ogg; codecs=opus' },
  'audio/flac': { mimeType: 'audio/flac' },
  'audio/wav': { mimeType: 'audio/wav' },
  // M4A (iTunes brand), and the registered type for the other audio-only MP4 brands.
  'audio/x-m4a': { mimeType: 'audio/mp4' },
  'audio/mp4': { mimeType: 'audio/mp4' },
  'video/mp4': { mimeType: 'audio/mp4' },
  // Raw AAC in ADTS frames.
  'audio/aac': { mimeType: 'audio/aac' },
};

/** The detected types `sniffMedia` is asked to accept. */
export const SNIFFED_AUDIO_TYPES: readonly string[] = Object.keys(ACCEPTED);

/** An accepted audio file, as read from its content alone. */
export interface AudioInfo {
  /** The type it is served with. */
  mimeType: string;
  durationMs: number;
}

/** The served type for a sniffed type, or `null` if it is not accepted. */
export function acceptedAudioType(sniffedMime: string): { mimeType: string } | null {
  return ACCEPTED[sniffedMime] ?? null;
}

/**
 * Reads what a stored object is, trusting nothing the uploader said: given its type
 * sniffed from its first bytes (magic numbers), its format and duration by parsing it as
 * that type. The parser reads the object through ranged GETs (`ObjectTokenizer`), so a
 * format whose duration is in its headers (WAV, FLAC, M4A, Ogg's last page) is not read
 * whole; MP3 is scanned frame by frame (`duration: true`, so VBR is measured, not
 * guessed), streamed, never held whole in memory. `null` when it is not audio of an
 * accepted format, is video, or cannot be parsed to a positive duration. Errors of the
 * store itself are thrown, not taken for bad content.
 */
export async function inspectAudio(
  store: ObjectStore,
  object: Pick<StagedObject, 'key' | 'sizeBytes' | 'media'>,
): Promise<AudioInfo | null> {
  const accepted = acceptedAudioType(object.media.mime);
  if (!accepted) return null;
  // music-metadata picks its parser from the type; the codecs parameter is not its business.
  const mimeType = object.media.mime.split(';')[0].trim();
  const tokenizer = new ObjectTokenizer(store, object.key, { size: object.sizeBytes, mimeType });
  let duration: number | undefined;
  let hasVideo: boolean | undefined;
  try {
    const metadata = await parseFromTokenizer(tokenizer, { duration: true, skipCovers: true });
    duration = metadata.format.duration;
    hasVideo = metadata.format.hasVideo;
  } catch {
    if (tokenizer.storeError) throw tokenizer.storeError;
    // A parser failure means the bytes are not what their first bytes claimed.
    return null;
  } finally {
    // Releases the connection to the store if the parser stopped before the end.
    await tokenizer.close();
  }
  if (tokenizer.storeError) throw tokenizer.storeError;
  if (hasVideo === true || duration === undefined || !Number.isFinite(duration) || duration <= 0) return null;
  return { mimeType: accepted.mimeType, durationMs: Math.max(1, Math.round(duration * 1000)) };
}
