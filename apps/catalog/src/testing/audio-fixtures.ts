import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The formats sox can write here, with the type the catalog must report for each. */
export const SOX_FORMATS = [
  { ext: 'mp3', mimeType: 'audio/mpeg' },
  { ext: 'ogg', mimeType: 'audio/ogg' },
  { ext: 'flac', mimeType: 'audio/flac' },
  { ext: 'wav', mimeType: 'audio/wav' },
] as const;

export type SoxExt = (typeof SOX_FORMATS)[number]['ext'];

/**
 * Makes a 3-second 440 Hz tone in each format with sox (Debian: sox and
 * libsox-fmt-mp3), in a temporary folder that is removed at once: the files are read
 * into memory, as tests only need their bytes.
 */
export async function makeTones(seconds = 3): Promise<Record<SoxExt, Buffer>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'octave-audio-'));
  try {
    const entries = await Promise.all(
      SOX_FORMATS.map(async ({ ext }) => {
        const file = path.join(dir, `tone.${ext}`);
        await run('sox', ['-n', '-r', '44100', '-c', '1', file, 'synth', String(seconds), 'sine', '440']);
        return [ext, await readFile(file)] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<SoxExt, Buffer>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
