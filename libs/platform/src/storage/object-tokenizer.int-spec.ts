import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseFromTokenizer } from 'music-metadata';
import { EndOfStreamError } from 'strtok3';
import { ObjectNotFoundError, ObjectStore } from './object-store.js';
import { pcmWav as wav } from '../testing/audio.js';
import { ObjectTokenizer } from './object-tokenizer.js';
import { startS3Server, type S3ServerHandle } from './s3-server.js';

const MiB = 1024 * 1024;

describe(ObjectTokenizer.name, () => {
  let directory: string;
  let server: S3ServerHandle;
  let store: ObjectStore;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'octave-tokenizer-'));
    server = await startS3Server({ directory });
    store = new ObjectStore({ endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey, bucket: 'tokenizer-test' });
    await store.ensureBucket();
  });
  afterAll(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  const put = async (key: string, bytes: Buffer) => {
    await store.putStream(key, Readable.from([bytes]));
    return new ObjectTokenizer(store, key, { size: bytes.length });
  };

  it('gives the bytes asked for, reading on, skipping ahead and going back', async () => {
    const bytes = randomBytes(3 * MiB + 17);
    const tokenizer = await put('tok/random.bin', bytes);
    try {
      // Reading on in odd sizes, with a peek before each read.
      const target = Buffer.alloc(70_001);
      for (let at = 0; at < 600_000; at += target.length) {
        expect(await tokenizer.peekBuffer(target, { length: 10 })).toBe(10);
        expect(tokenizer.position).toBe(at);
        expect(await tokenizer.readBuffer(target)).toBe(target.length);
        expect(target.equals(bytes.subarray(at, at + target.length))).toBe(true);
      }
      expect(tokenizer.requests).toBe(1);

      // Far ahead, then back to the start: a GET each.
      for (const at of [2 * MiB, 5]) {
        tokenizer.setPosition(at);
        expect(await tokenizer.readBuffer(target, { length: 1000 })).toBe(1000);
        expect(target.subarray(0, 1000).equals(bytes.subarray(at, at + 1000))).toBe(true);
      }
      expect(tokenizer.requests).toBe(3);

      // The end: short reads only when allowed.
      const end = bytes.length - 10;
      expect(await tokenizer.peekBuffer(target, { position: end, length: 100, mayBeLess: true })).toBe(10);
      expect(target.subarray(0, 10).equals(bytes.subarray(end))).toBe(true);
      await expect(tokenizer.readBuffer(target, { position: end, length: 100 })).rejects.toBeInstanceOf(EndOfStreamError);
      expect(await tokenizer.readBuffer(target, { position: bytes.length, length: 1, mayBeLess: true })).toBe(0);
      expect(tokenizer.storeError).toBeUndefined();
    } finally {
      await tokenizer.close();
    }
  });

  it('lets a parser skip what it does not need: a WAV file is measured without reading its samples', async () => {
    const bytes = wav(16 * MiB);
    const tokenizer = await put('tok/long.wav', bytes);
    try {
      const metadata = await parseFromTokenizer(tokenizer, { duration: true });
      expect(metadata.format.container).toBe('WAVE');
      expect(metadata.format.duration).toBeCloseTo((16 * MiB - 44) / (44_100 * 4), 3);
      expect(tokenizer.bytesFetched).toBeLessThan(MiB);
    } finally {
      await tokenizer.close();
    }
  });

  it('keeps the error of a store that fails, apart from what the content is', async () => {
    const tokenizer = await put('tok/gone.bin', randomBytes(1000));
    await store.remove('tok/gone.bin');
    await expect(tokenizer.readBuffer(Buffer.alloc(10))).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(tokenizer.storeError).toBeInstanceOf(ObjectNotFoundError);
    await tokenizer.close();
  });
});
