import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The formats sox writes here, with the type the catalog must report for each. */
export const TONE_FORMATS = [
  { ext: 'mp3', mimeType: 'audio/mpeg' },
  { ext: 'ogg', mimeType: 'audio/ogg' },
  { ext: 'flac', mimeType: 'audio/flac' },
  { ext: 'wav', mimeType: 'audio/wav' },
] as const;

export type ToneExt = (typeof TONE_FORMATS)[number]['ext'];

/**
 * Synthesises a 440 Hz tone with sox (Debian: sox and libsox-fmt-mp3) into `file` (its
 * extension picks the format) in a temporary folder, and returns the file's bytes.
 */
async function sox(file: string, length: string, format: string[] = []): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'octave-e2e-audio-'));
  try {
    const out = path.join(dir, file);
    await run('sox', ['-r', '44100', '-n', ...format, '-c', '1', out, 'synth', length, 'sine', '440', 'vol', '0.5']);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A 3-second 440 Hz tone in each format sox can write, generated now (no binaries in the repository). */
export async function makeTones(): Promise<Record<ToneExt, Buffer>> {
  const entries = await Promise.all(
    TONE_FORMATS.map(async ({ ext }) => [ext, await sox(`tone.${ext}`, '3')] as const),
  );
  return Object.fromEntries(entries) as Record<ToneExt, Buffer>;
}

/**
 * A valid 16-bit mono WAV of exactly `sizeBytes` bytes (a 44-byte header, then samples):
 * a real song right at an upload limit.
 */
export async function makeWavOfSize(sizeBytes: number): Promise<Buffer> {
  if (sizeBytes < 46 || sizeBytes % 2 !== 0) throw new RangeError('a 16-bit mono WAV has an even size of at least 46 bytes');
  const samples = (sizeBytes - 44) / 2;
  const wav = await sox('exact.wav', `${samples}s`, ['-b', '16']);
  if (wav.length !== sizeBytes) throw new Error(`sox wrote ${wav.length} bytes, not ${sizeBytes}`);
  return wav;
}
