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
import {
  adoptStagedUpload,
  discardStagedUpload,
  isStaged,
  isStagingKey,
  newStagingKey,
  STAGED_TAG,
  stageUpload,
  type AdoptOptions,
  type StagedObject,
} from './staged.js';

const UPLOADER = 7;

describe('staged uploads', () => {
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

  const stage = async (bytes: Buffer, uploaderId = UPLOADER) =>
    (await stageUpload(store, Readable.from([bytes]), { maxBytes: 1024 * 1024, uploaderId })).key;
  const options = (extra: Partial<AdoptOptions<void>> = {}): AdoptOptions<void> => ({
    uploaderId: UPLOADER,
    accepted: IMAGE_TYPES,
    maxBytes: 1024 * 1024,
    what: 'cover',
    ...extra,
  });
  /** Adopts as a service would, recording the key it was given. */
  const adopt = (stagingKey: unknown, extra: Partial<AdoptOptions<void>> = {}) =>
    adoptStagedUpload(store, stagingKey, options(extra), async (object) => object);
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err as RpcCallError);

  describe(stageUpload.name, () => {
    it("stages under the uploader's id, tagged as staged, typed by a sniff of its content", async () => {
      const png = tinyPng();
      const staged = await stageUpload(store, Readable.from([png]), { maxBytes: 1024, uploaderId: UPLOADER });
      expect(staged).toEqual({ key: expect.stringMatching(/^uploads\/7\/[0-9a-f-]{36}$/), sizeBytes: png.length });
      expect(isStagingKey(staged.key, UPLOADER)).toBe(true);
      expect(await store.tags(staged.key)).toEqual({ [STAGED_TAG.key]: STAGED_TAG.value });
      expect(await store.stat(staged.key)).toMatchObject({ contentType: 'image/png' });
      expect(await isStaged(store, staged.key)).toBe(true);

      const unknown = await stage(Buffer.from('just some text'));
      expect(await store.stat(unknown)).toMatchObject({ contentType: 'application/octet-stream' });
    });
  });

  describe(isStagingKey.name, () => {
    it('knows staging keys, and whose they are', () => {
      const key = newStagingKey(UPLOADER);
      expect(isStagingKey(key)).toBe(true);
      expect(isStagingKey(key, UPLOADER)).toBe(true);
      expect(isStagingKey(key, 8)).toBe(false);
      for (const other of ['covers/1/x.png', `${key}/x`, `uploads/../${key}`, 'uploads/7/not-a-uuid', `uploads/0/${key.slice(10)}`, 42]) {
        expect(isStagingKey(other)).toBe(false);
      }
    });
  });

  describe(adoptStagedUpload.name, () => {
    it('adopts an accepted image where it is: the tag goes, the type stays, the service records the key', async () => {
      const png = tinyPng();
      const key = await stage(png);
      const keep = jest.fn(async (object: StagedObject & { details: unknown }) => ({ recorded: object.key }));
      await expect(adoptStagedUpload(store, key, options(), keep)).resolves.toEqual({ recorded: key });
      expect(keep).toHaveBeenCalledWith({ key, sizeBytes: png.length, media: { mime: 'image/png', ext: 'png' }, details: undefined });
      expect(await store.tags(key)).toEqual({});
      expect(await store.stat(key)).toMatchObject({ contentType: 'image/png', sizeBytes: png.length });
      expect(await isStaged(store, key)).toBe(false);
    });

    it('gives the object its sniffed type when it was staged with another', async () => {
      const key = newStagingKey(UPLOADER);
      await store.putStream(key, Readable.from([tinyPng()]), {
        contentType: 'application/octet-stream',
        tags: { [STAGED_TAG.key]: STAGED_TAG.value },
      });
      await adopt(key);
      expect(await store.stat(key)).toMatchObject({ contentType: 'image/png' });
      expect(await store.tags(key)).toEqual({});
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
      expect(await failure(adopt(key, { maxBytes: 100 }))).toMatchObject({ status: 413, code: 'UPLOAD_TOO_LARGE' });
      expect(await store.stat(key)).toBeNull();
    });

    it('passes what inspect finds to keep; what inspect throws is thrown and the object removed', async () => {
      const key = await stage(tinyPng());
      const kept = await adoptStagedUpload(
        store,
        key,
        { ...options(), inspect: async (object) => ({ seen: object.media.mime }) },
        async (object) => object.details,
      );
      expect(kept).toEqual({ seen: 'image/png' });

      const refused = await stage(tinyPng());
      const refusal = DomainError.unsupportedMediaType('UNSUPPORTED_MEDIA_TYPE', 'not really');
      await expect(
        adoptStagedUpload(store, refused, { ...options(), inspect: () => Promise.reject(refusal) }, async () => 'kept'),
      ).rejects.toBe(refusal);
      expect(await store.stat(refused)).toBeNull();
    });

    it('removes the object when keep fails, so nothing is left behind', async () => {
      const key = await stage(tinyPng());
      const failed = new Error('the transaction rolled back');
      await expect(adoptStagedUpload(store, key, options(), () => Promise.reject(failed))).rejects.toBe(failed);
      expect(await store.stat(key)).toBeNull();
    });

    it('asks check before reading anything: its refusal is thrown and the staged object removed', async () => {
      const key = await stage(tinyPng());
      const refusal = DomainError.forbidden('NOT_OWNER', 'not yours');
      const keep = jest.fn(async () => 'kept');
      await expect(adoptStagedUpload(store, key, { ...options(), check: () => Promise.reject(refusal) }, keep)).rejects.toBe(refusal);
      expect(keep).not.toHaveBeenCalled();
      expect(await store.stat(key)).toBeNull();

      const notAsked = jest.fn(() => Promise.resolve());
      expect(await failure(adopt('covers/live.png', { check: notAsked }))).toMatchObject({ status: 400 });
      expect(notAsked).not.toHaveBeenCalled();
    });

    it("never adopts nor removes a key outside uploads, another user's upload, or an adopted object", async () => {
      await store.putStream('covers/live.png', Readable.from([tinyPng()]));
      expect(await failure(adopt('covers/live.png'))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(await store.stat('covers/live.png')).not.toBeNull();

      const theirs = await stage(tinyPng(), UPLOADER + 1);
      expect(await failure(adopt(theirs))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(await isStaged(store, theirs)).toBe(true);

      const adopted = await stage(tinyPng());
      await adopt(adopted);
      // A second adoption of a live object, even one that would be refused, leaves it alone.
      expect(await failure(adopt(adopted, { maxBytes: 1 }))).toMatchObject({ status: 400, code: 'UPLOAD_NOT_FOUND' });
      expect(await store.stat(adopted)).not.toBeNull();

      expect(await failure(adopt(newStagingKey(UPLOADER)))).toMatchObject({ status: 400, code: 'UPLOAD_NOT_FOUND' });
    });
  });

  describe(discardStagedUpload.name, () => {
    it('removes an upload nobody adopted, and never an adopted one', async () => {
      const orphan = await stage(tinyPng());
      await discardStagedUpload(store, orphan);
      expect(await store.stat(orphan)).toBeNull();

      const adopted = await stage(tinyPng());
      await adopt(adopted);
      await discardStagedUpload(store, adopted);
      expect(await store.stat(adopted)).not.toBeNull();

      await discardStagedUpload(store, newStagingKey(UPLOADER));
    });
  });
});
