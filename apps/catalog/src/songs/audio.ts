import type { Readable } from 'node:stream';
import { parseStream } from 'music-metadata';
import { type ObjectStore, SNIFF_BYTES, sniffMedia } from '@octave/platform/storage';

/**
 * What file-type reports for the formats the catalog accepts, and the type and file
 * extension a song of each is stored and served with. `video/mp4` is an MP4 container
 * of any brand; it is accepted only when it turns out to hold audio alone.
 */
const ACCEPTED: Record<string, { mimeType: string; ext: string }> = {
  'audio/mpeg': { mimeType: 'audio/mpeg', ext: 'mp3' },
  // Vorbis, and also FLAC or Speex in Ogg.
  'audio/ogg': { mimeType: 'audio/ogg', ext: 'ogg' },
  'audio/ogg; codecs=opus': { mimeType: 'audio/ogg; codecs=opus', ext: 'opus' },
  'audio/flac': { mimeType: 'audio/flac', ext: 'flac' },
  'audio/wav': { mimeType: 'audio/wav', ext: 'wav' },
  // M4A (iTunes brand), and the registered type for the other audio-only MP4 brands.
  'audio/x-m4a': { mimeType: 'audio/mp4', ext: 'm4a' },
  'audio/mp4': { mimeType: 'audio/mp4', ext: 'm4a' },
  'video/mp4': { mimeType: 'audio/mp4', ext: 'm4a' },
  // Raw AAC in ADTS frames.
  'audio/aac': { mimeType: 'audio/aac', ext: 'aac' },
};

/** The detected types `sniffMedia` is asked to accept. */
export const SNIFFED_AUDIO_TYPES: readonly string[] = Object.keys(ACCEPTED);

/** An accepted audio file, as read from its content alone. */
export interface AudioInfo {
  /** The type it is stored and served with. */
  mimeType: string;
  /** File extension for its object key, without a dot. */
  ext: string;
  durationMs: number;
}

/** The stored type and extension for a sniffed type, or `null` if it is not accepted. */
export function acceptedAudioType(sniffedMime: string): { mimeType: string; ext: string } | null {
  return ACCEPTED[sniffedMime] ?? null;
}

/**
 * Reads what the object at `key` is, trusting nothing the uploader said: its type from
 * its first bytes (magic numbers), then its format and duration by parsing it as that
 * type, streamed from the store (never held whole in memory). `null` when it is not
 * audio of an accepted format, is video, or cannot be parsed to a positive duration.
 * Errors of the store itself are thrown, not taken for bad content.
 */
export async function inspectAudio(store: ObjectStore, key: string, sizeBytes: number): Promise<AudioInfo | null> {
  const sniffed = await sniffMedia(await store.readHead(key, SNIFF_BYTES), SNIFFED_AUDIO_TYPES);
  const accepted = sniffed ? acceptedAudioType(sniffed.mime) : null;
  if (!sniffed || !accepted) return null;

  const stream = await store.getStream(key);
  let streamError: unknown;
  // Kept (not `once`): an error after the parse must not go unhandled and crash the process.
  stream.on('error', (err) => {
    streamError ??= err;
  });
  let duration: number | undefined;
  let hasVideo: boolean | undefined;
  try {
    // music-metadata picks its parser from the type; the codecs parameter is not its business.
    const mimeType = sniffed.mime.split(';')[0].trim();
    const metadata = await parseStream(stream as Readable, { mimeType, size: sizeBytes }, { duration: true, skipCovers: true });
    duration = metadata.format.duration;
    hasVideo = metadata.format.hasVideo;
  } catch {
    if (streamError) throw streamError;
    // A parser failure means the bytes are not what their first bytes claimed.
    return null;
  } finally {
    // Some parsers stop before the end (e.g. WAV); release the connection to the store.
    stream.destroy();
  }
  if (streamError) throw streamError;
  if (hasVideo === true || duration === undefined || !Number.isFinite(duration) || duration <= 0) return null;
  return { mimeType: accepted.mimeType, ext: accepted.ext, durationMs: Math.max(1, Math.round(duration * 1000)) };
}
