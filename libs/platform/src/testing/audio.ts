import { randomFillSync } from 'node:crypto';

/**
 * A 16-bit stereo 44.1 kHz PCM WAV file of exactly `bytes` bytes: random samples behind
 * a valid 44-byte header, which the catalog accepts as audio. Made in memory, without
 * sox, for large files and benchmarks.
 */
export function pcmWav(bytes: number): Buffer {
  if (!(bytes >= 44)) throw new RangeError(`a WAV file has at least its 44-byte header, not ${bytes} bytes`);
  const data = bytes - 44;
  const file = Buffer.alloc(bytes);
  file.write('RIFF', 0);
  file.writeUInt32LE(36 + data, 4);
  file.write('WAVEfmt ', 8);
  file.writeUInt32LE(16, 16); // fmt chunk size
  file.writeUInt16LE(1, 20); // PCM
  file.writeUInt16LE(2, 22); // stereo
  file.writeUInt32LE(44_100, 24);
  file.writeUInt32LE(44_100 * 4, 28); // bytes per second
  file.writeUInt16LE(4, 32); // bytes per frame
  file.writeUInt16LE(16, 34); // bits per sample
  file.write('data', 36);
  file.writeUInt32LE(data, 40);
  randomFillSync(file, 44);
  return file;
}
