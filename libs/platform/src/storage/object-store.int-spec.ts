import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import * as Minio from 'minio';
import {
  IMAGE_TYPES,
  ObjectNotFoundError,
  ObjectStore,
  ObjectTooLargeError,
  SNIFF_BYTES,
  sniffMedia,
  startS3Server,
  StorageModule,
  type S3ServerHandle,
} from './index.js';

const MiB = 1024 * 1024;
const BUCKET = 'octave-storage-test';
/** A complete 1×1 PNG. */
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const BLOCK = randomBytes(64 * 1024);

/**
 * `total` bytes made as they are read (never all in memory): a random 64 KiB block,
 * stamped with its offset so every block differs. Fails with an error after `failAfter`.
 */
function generatedBytes(total: number, failAfter?: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && sent >= failAfter) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (sent >= total) {
        this.push(null);
        return;
      }
      const chunk = Buffer.from(BLOCK.subarray(0, Math.min(BLOCK.length, total - sent)));
      if (chunk.length >= 8) chunk.writeDoubleLE(sent, 0);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

async function md5Of(stream: Readable): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { md5: hash.digest('hex'), size };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('ObjectStore against the embedded S3 server', () => {
  let directory: string;
  let server: S3ServerHandle;
  let store: ObjectStore;
  let raw: Minio.Client;

  /** Keys under `prefix` as the server lists them, bypassing ObjectStore. */
  async function listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const item of raw.listObjectsV2(BUCKET, prefix, true) as AsyncIterable<{ name?: string }>) {
      if (item.name) keys.push(item.name);
    }
    return keys;
  }

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'octave-storage-'));
    server = await startS3Server({ directory });
    const options = {
      endpoint: server.endpoint,
      accessKey: server.accessKey,
      secretKey: server.secretKey,
      bucket: BUCKET,
    };
    store = new ObjectStore(options);
    const url = new URL(server.endpoint);
    raw = new Minio.Client({
      endPoint: url.hostname,
      port: Number(url.port),
      useSSL: false,
      accessKey: server.accessKey,
      secretKey: server.secretKey,
      region: 'us-east-1',
    });
  });

  afterAll(async () => {
    await server?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('creates the bucket once, even when asked concurrently', async () => {
    expect(await store.ping()).toBe(false);
    await Promise.all([store.ensureBucket(), store.ensureBucket(), store.ensureBucket()]);
    await store.ensureBucket();
    expect(await store.ping()).toBe(true);
  });

  it('puts, stats and gets an object, whole and by range', async () => {
    const put = await store.putStream('basic/hello.txt', Readable.from([Buffer.from('hello '), Buffer.from('world')]), {
      contentType: 'text/plain',
    });
    expect(put).toEqual({ key: 'basic/hello.txt', sizeBytes: 11 });

    const info = await store.stat('basic/hello.txt');
    expect(info).toEqual({ sizeBytes: 11, contentType: 'text/plain', etag: expect.stringMatching(/^[0-9a-f-]+$/) });
    expect(await store.stat('basic/missing.txt')).toBeNull();

    expect(await text(await store.getStream('basic/hello.txt'))).toBe('hello world');
    expect(await text(await store.getStream('basic/hello.txt', { start: 6, end: 10 }))).toBe('world');
    expect(await text(await store.getStream('basic/hello.txt', { start: 0, end: 0 }))).toBe('h');
    expect((await store.readHead('basic/hello.txt', 5)).toString()).toBe('hello');
    expect((await store.readHead('basic/hello.txt', 100)).toString()).toBe('hello world');
    await expect(store.getStream('basic/missing.txt')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('stores an empty body', async () => {
    expect(await store.putStream('basic/empty.bin', Readable.from([]))).toEqual({ key: 'basic/empty.bin', sizeBytes: 0 });
    expect(await store.stat('basic/empty.bin')).toMatchObject({ sizeBytes: 0, contentType: 'application/octet-stream' });
    expect(await store.readHead('basic/empty.bin', SNIFF_BYTES)).toEqual(Buffer.alloc(0));
  });

  it('keeps tags given with the object, single PUT or multipart, and removes them', async () => {
    const tags = { 'octave-upload': 'staged', note: 'a b&c' };
    await store.putStream('tags/small.txt', Readable.from([Buffer.from('small')]), { tags });
    await store.putStream('tags/big.bin', generatedBytes(9 * MiB), { tags });
    expect(await store.tags('tags/small.txt')).toEqual(tags);
    expect(await store.tags('tags/big.bin')).toEqual(tags);
    expect(await store.tags('tags/missing.txt')).toBeNull();

    await store.removeTags('tags/small.txt');
    expect(await store.tags('tags/small.txt')).toEqual({});
    expect(await text(await store.getStream('tags/small.txt'))).toBe('small');
    await expect(store.removeTags('tags/missing.txt')).rejects.toBeInstanceOf(ObjectNotFoundError);

    // An object made again at a key, removed or not, has only the tags it is given.
    await store.remove('tags/big.bin');
    await store.putStream('tags/big.bin', Readable.from([Buffer.from('again')]));
    expect(await store.tags('tags/big.bin')).toEqual({});
    await store.putStream('tags/small.txt', Readable.from([Buffer.from('tagged')]), { tags: { a: 'b' } });
    await store.putStream('tags/small.txt', generatedBytes(9 * MiB));
    expect(await store.tags('tags/small.txt')).toEqual({});
  });

  it('picks the content type from the first bytes when asked to', async () => {
    const heads: number[] = [];
    const contentType = (head: Buffer) => {
      heads.push(head.length);
      return head.subarray(0, 4).toString() === 'GIF8' ? 'image/gif' : 'application/octet-stream';
    };
    await store.putStream('typed/a.gif', Readable.from([Buffer.from('GIF89a'), Buffer.alloc(100)]), { contentType });
    await store.putStream('typed/b.bin', generatedBytes(9 * MiB), { contentType });
    expect(await store.stat('typed/a.gif')).toMatchObject({ contentType: 'image/gif' });
    expect(await store.stat('typed/b.bin')).toMatchObject({ contentType: 'application/octet-stream', sizeBytes: 9 * MiB });
    // The whole of a small body, one part of a large one.
    expect(heads).toEqual([106, 8 * MiB]);
  });

  it('copies on the server, keeping or replacing the content type', async () => {
    await store.putStream('copy/src.txt', Readable.from([Buffer.from('copy me')]), { contentType: 'text/plain' });

    await store.copy('copy/src.txt', 'copy/same-type.txt');
    expect(await store.stat('copy/same-type.txt')).toMatchObject({ sizeBytes: 7, contentType: 'text/plain' });
    expect(await text(await store.getStream('copy/same-type.txt'))).toBe('copy me');

    await store.copy('copy/src.txt', 'copy/new-type.md', 'text/markdown');
    expect(await store.stat('copy/new-type.md')).toMatchObject({ sizeBytes: 7, contentType: 'text/markdown' });

    await expect(store.copy('copy/missing.txt', 'copy/x.txt')).rejects.toBeInstanceOf(ObjectNotFoundError);

    // Onto itself: the type changes, the bytes and tags stay.
    await store.putStream('copy/self.txt', Readable.from([Buffer.from('self')]), { contentType: 'text/plain', tags: { a: 'b' } });
    await store.copy('copy/self.txt', 'copy/self.txt', 'text/markdown');
    expect(await store.stat('copy/self.txt')).toMatchObject({ sizeBytes: 4, contentType: 'text/markdown' });
    expect(await text(await store.getStream('copy/self.txt'))).toBe('self');
    expect(await store.tags('copy/self.txt')).toEqual({ a: 'b' });
  });

  it('removes one or many objects, ignoring missing ones', async () => {
    for (const key of ['rm/a', 'rm/b', 'rm/c']) {
      await store.putStream(key, Readable.from([Buffer.from(key)]));
    }
    await store.remove('rm/a');
    await store.remove('rm/never-existed');
    expect(await store.stat('rm/a')).toBeNull();

    await store.removeMany(['rm/b', 'rm/c', 'rm/never-existed']);
    await store.removeMany([]);
    expect(await listKeys('rm/')).toEqual([]);
  });

  it('signs GET URLs that work without credentials and honour Range', async () => {
    await store.putStream('presign/song.txt', Readable.from([Buffer.from('0123456789')]), { contentType: 'text/plain' });
    const url = await store.presignedGetUrl('presign/song.txt', 60);
    expect(url.startsWith(`${server.endpoint}/${BUCKET}/presign/song.txt?`)).toBe(true);

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('text/plain');
    expect(await whole.text()).toBe('0123456789');

    const part = await fetch(url, { headers: { Range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await part.text()).toBe('2345');

    await expect(store.presignedGetUrl('presign/song.txt', 0)).rejects.toBeInstanceOf(RangeError);
  });

  it('signs URLs for the public endpoint when it differs', async () => {
    const publicEndpoint = server.endpoint.replace('127.0.0.1', 'localhost');
    const publicStore = new ObjectStore({
      endpoint: server.endpoint,
      publicEndpoint,
      accessKey: server.accessKey,
      secretKey: server.secretKey,
      bucket: BUCKET,
    });
    const url = await publicStore.presignedGetUrl('presign/song.txt', 60);
    expect(url.startsWith(`${publicEndpoint}/${BUCKET}/presign/song.txt?`)).toBe(true);
    expect(await (await fetch(url)).text()).toBe('0123456789');
  });

  it('streams a 12 MiB body as a multipart upload', async () => {
    const size = 12 * MiB;
    const expected = await md5Of(generatedBytes(size));

    const put = await store.putStream('big/12mib.bin', generatedBytes(size), { maxBytes: 16 * MiB });
    expect(put.sizeBytes).toBe(size);
    expect((await store.stat('big/12mib.bin'))?.sizeBytes).toBe(size);
    expect(await md5Of(await store.getStream('big/12mib.bin'))).toEqual(expected);

    const tail = await md5Of(await store.getStream('big/12mib.bin', { start: size - 1000, end: size - 1 }));
    expect(tail.size).toBe(1000);
  });

  it('uploads one multipart body after another through the same part buffers, each intact', async () => {
    // 16 MiB is two whole parts (the end is only seen when a third read finds nothing);
    // 8 MiB + 1 byte leaves a last part of one byte; a smaller one follows in one PUT.
    for (const [key, size] of [
      ['reuse/16mib.bin', 16 * MiB],
      ['reuse/8mib-and-1.bin', 8 * MiB + 1],
      ['reuse/3mib.bin', 3 * MiB],
      ['reuse/12mib.bin', 12 * MiB],
    ] as const) {
      const expected = await md5Of(generatedBytes(size));
      expect(await store.putStream(key, generatedBytes(size))).toEqual({ key, sizeBytes: size });
      expect(await md5Of(await store.getStream(key))).toEqual(expected);
    }
  });

  it('rejects a body over maxBytes and stores nothing', async () => {
    const body = generatedBytes(3 * MiB);
    const upload = store.putStream('limit/too-big.bin', body, { maxBytes: MiB });
    await expect(upload).rejects.toBeInstanceOf(ObjectTooLargeError);
    await expect(upload).rejects.toMatchObject({ maxBytes: MiB });
    expect(body.destroyed).toBe(true);
    expect(await listKeys('limit/')).toEqual([]);
  });

  it('rejects a body that passes maxBytes after a part was uploaded, keeping the previous object', async () => {
    await store.putStream('limit/keep.bin', Readable.from([Buffer.from('previous')]));

    // 8 MiB parts: the first part is sent before the limit is crossed.
    const upload = store.putStream('limit/keep.bin', generatedBytes(12 * MiB), { maxBytes: 10 * MiB });
    await expect(upload).rejects.toBeInstanceOf(ObjectTooLargeError);

    expect(await listKeys('limit/')).toEqual(['limit/keep.bin']);
    expect(await text(await store.getStream('limit/keep.bin'))).toBe('previous');
    // The aborted upload's parts are gone too.
    expect(await readdir(path.join(directory, BUCKET, '._S3rver_uploads')).catch(() => [])).toEqual([]);
  });

  it.each([
    ['within the first part', MiB],
    ['during the multipart upload', 10 * MiB],
  ])('fails with the source error when the body breaks %s, storing nothing', async (_when, failAfter) => {
    const upload = store.putStream('limit/broken.bin', generatedBytes(12 * MiB, failAfter));
    await expect(upload).rejects.toThrow('client went away');
    expect(await store.stat('limit/broken.bin')).toBeNull();
  });

  it('sniffs stored files by content, not by name', async () => {
    await store.putStream('sniff/avatar.png', Readable.from([PNG_1X1]), { contentType: 'image/png' });
    await store.putStream('sniff/x.png', Readable.from([Buffer.from('<!doctype html><html><body>hi</body></html>')]), {
      contentType: 'image/png',
    });

    const png = await store.readHead('sniff/avatar.png', SNIFF_BYTES);
    expect(await sniffMedia(png, IMAGE_TYPES)).toEqual({ mime: 'image/png', ext: 'png' });

    const html = await store.readHead('sniff/x.png', SNIFF_BYTES);
    expect(await sniffMedia(html, IMAGE_TYPES)).toBeNull();
  });

  it('is provided by StorageModule, which creates its bucket at start', async () => {
    const app = await NestFactory.createApplicationContext(
      StorageModule.forRootAsync({
        useFactory: async () => ({
          endpoint: server.endpoint,
          accessKey: server.accessKey,
          secretKey: server.secretKey,
          bucket: 'octave-module-test',
        }),
      }),
      { logger: false },
    );
    try {
      const injected = app.get(ObjectStore);
      expect(injected.bucket).toBe('octave-module-test');
      expect(await injected.ping()).toBe(true);
    } finally {
      await app.close();
    }
  });
});
