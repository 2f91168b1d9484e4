import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DomainError, RpcCallError } from '../bus/index.js';
import { GIF_HEAD, HTML, tinyPng } from '../testing/images.js';
import { ObjectStore } from './object-store.js';
import { startS3Server, type S3ServerHandle } from './s3-server.js';
import { IMAGE_TYPES } from './sniff.js';
import { adoptStagedUpload, newStagingKey } from './staged.js';

describe(adoptStagedUpload.name, () => {
  let directory: string;
  let server: S3ServerHandle;
  let store: ObjectStore;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'octave-staged-'));
    server = await startS3Server({ directory });
    store = new ObjectStore({ endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey, bucket: 'staged-test' });
    await store.ensureBucket();
  });
  afterAll(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  const stage = async (bytes: Buffer) => {
    const key = newStagingKey();
    await store.putStream(key, Readable.from([bytes]), { contentType: 'image/png' });
    return key;
  };
  const adopt = (stagingKey: unknown, maxBytes = 1024 * 1024) =>
    adoptStagedUpload(store, stagingKey, { accepted: IMAGE_TYPES, maxBytes, what: 'cover', destination: (ext) => `covers/1/x.${ext}` });
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err as RpcCallError);

  it('adopts an accepted image under its own key with the sniffed type, and removes the staged object', async () => {
    const png = tinyPng();
    const key = await stage(png);
    await expect(adopt(key)).resolves.toEqual({ key: 'covers/1/x.png', mime: 'image/png', sizeBytes: png.length });
    expect(await store.stat('covers/1/x.png')).toMatchObject({ contentType: 'image/png', sizeBytes: png.length });
    expect(await store.stat(key)).toBeNull();
  });

  it('refuses what is not an accepted image with 415, whatever its name or declared type, and removes it', async () => {
    for (const bytes of [HTML, GIF_HEAD]) {
      const key = await stage(bytes);
      expect(await failure(adopt(key))).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(await store.stat(key)).toBeNull();
    }
  });

  it('refuses an object over the limit with 413 and removes it', async () => {
    const key = await stage(tinyPng(64));
    expect(await failure(adopt(key, 100))).toMatchObject({ status: 413, code: 'UPLOAD_TOO_LARGE' });
    expect(await store.stat(key)).toBeNull();
  });

  it('never adopts a key outside staging, and answers 400 for a staged upload that is gone', async () => {
    await store.putStream('covers/live.png', Readable.from([tinyPng()]));
    expect(await failure(adopt('covers/live.png'))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await store.stat('covers/live.png')).not.toBeNull();
    expect(await failure(adopt(newStagingKey()))).toMatchObject({ status: 400, code: 'UPLOAD_NOT_FOUND' });
  });

  it('asks authorize before reading anything: its refusal is thrown and the staged object removed', async () => {
    const key = await stage(tinyPng());
    const refusal = DomainError.forbidden('NOT_OWNER', 'not yours');
    const destination = jest.fn((ext: string) => `covers/2/x.${ext}`);
    const authorize = () => Promise.reject(refusal);
    const opts = { accepted: IMAGE_TYPES, maxBytes: 1024, what: 'cover', destination, authorize };
    await expect(adoptStagedUpload(store, key, opts)).rejects.toBe(refusal);
    expect(destination).not.toHaveBeenCalled();
    expect(await store.stat(key)).toBeNull();

    const notAsked = jest.fn(() => Promise.resolve());
    expect(await failure(adoptStagedUpload(store, 'covers/live.png', { ...opts, authorize: notAsked }))).toMatchObject({ status: 400 });
    expect(notAsked).not.toHaveBeenCalled();
  });
});
