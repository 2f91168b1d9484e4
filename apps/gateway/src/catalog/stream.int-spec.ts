import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { eventSubject, type EventEnvelope, type SongStreamInfo } from '@octave/contracts';
import { ensureEventsStream } from '@octave/platform/events';
import { ObjectStore, startS3Server, type S3ServerHandle } from '@octave/platform/storage';
import { eventually, startNatsServer, type NatsServerHandle } from '@octave/platform/testing';
import jwt from 'jsonwebtoken';
import { loadGatewayConfig } from '../config.js';
import { createGateway } from '../gateway.js';

// The stream route against a real NATS (with a stand-in catalog answering on it) and a
// real S3 server: what the gateway keeps of `catalog.song.streamInfo`, and when it stops.

const SECRET = 'gateway-stream-test-secret-long-enough-0123456789';
const BUCKET = 'octave-stream-test';

let nats: NatsServerHandle;
let s3: S3ServerHandle;
let s3Dir: string;
let app: NestFastifyApplication;
let base: string;
let nc: NatsConnection;
let store: ObjectStore;
let catalog: Subscription;
const token = jwt.sign({ sub: '1', username: 'ada', sid: 'sid-1' }, SECRET, {
  algorithm: 'HS256',
  issuer: 'octave',
  audience: 'octave-api',
  expiresIn: 900,
});

/** The stand-in catalog's songs, and how often it was asked about each. */
const songs = new Map<number, SongStreamInfo>();
const asked = new Map<number, number>();

beforeAll(async () => {
  [nats, s3Dir] = await Promise.all([startNatsServer(), mkdtemp(path.join(tmpdir(), 'octave-gw-stream-'))]);
  s3 = await startS3Server({ directory: s3Dir, bucket: BUCKET });
  app = await createGateway(
    loadGatewayConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      NATS_URL: nats.url,
      RPC_TIMEOUT_MS: '500',
      JWT_SECRET: SECRET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: BUCKET,
    }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = await app.getUrl();
  // Reconnects quickly: one test restarts NATS.
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  await ensureEventsStream(nc);
  store = new ObjectStore({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: BUCKET });
  // The catalog's side of `catalog.song.streamInfo`, in the NestJS NATS packet format.
  catalog = nc.subscribe('catalog.song.streamInfo', {
    callback: (_err, msg) => {
      const { id, data } = msg.json<{ id: string; data: { id: number } }>();
      asked.set(data.id, (asked.get(data.id) ?? 0) + 1);
      const info = songs.get(data.id);
      const reply = info
        ? { response: info }
        : { err: { code: 'SONG_NOT_FOUND', status: 404, message: `song ${data.id} not found` } };
      msg.respond(JSON.stringify({ id, ...reply, isDisposed: true }));
    },
  });
  await nc.flush();
}, 60_000);

afterAll(async () => {
  catalog?.unsubscribe();
  await nc?.close();
  await app?.close();
  await Promise.allSettled([nats?.dispose(), s3?.close()]);
  if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
});

let nextId = 1;
let audio: Buffer;
let songId: number;

/** A new song, known to the catalog, with its audio in the store. */
beforeEach(async () => {
  songId = nextId++;
  audio = randomBytes(64 * 1024);
  const objectKey = `songs/1/${randomUUID()}`;
  await store.putStream(objectKey, Readable.from([audio]), { contentType: 'audio/mpeg' });
  songs.set(songId, { objectKey, mimeType: 'audio/mpeg', sizeBytes: audio.length });
});

async function stream(id: number, range?: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${base}/api/songs/${id}/stream`, {
    headers: { authorization: `Bearer ${token}`, ...(range ? { range } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** What the catalog's outbox relay publishes when a song is deleted. */
async function publishSongDeleted(id: number): Promise<void> {
  const envelope: EventEnvelope = {
    id: randomUUID(),
    type: 'song.deleted',
    occurredAt: new Date().toISOString(),
    version: 1,
    data: { songId: id, uploaderId: 1 },
  };
  await jetstream(nc).publish(eventSubject('catalog', 'song.deleted'), JSON.stringify(envelope), { msgID: envelope.id });
}

describe('GET /api/songs/:id/stream', () => {
  it('asks the catalog once for many range reads of a song', async () => {
    for (const [start, end] of [
      [0, 1023],
      [4096, 8191],
      [60_000, 65_535],
    ]) {
      const { status, bytes } = await stream(songId, `bytes=${start}-${end}`);
      expect(status).toBe(206);
      expect(bytes.equals(audio.subarray(start, end + 1))).toBe(true);
    }
    expect((await stream(songId)).bytes.equals(audio)).toBe(true);
    expect(asked.get(songId)).toBe(1);
  });

  it('does not keep an unknown song', async () => {
    const unknown = 100_000 + songId;
    expect((await stream(unknown)).status).toBe(404);
    expect((await stream(unknown)).status).toBe(404);
    expect(asked.get(unknown)).toBe(2);
  });

  it("stops streaming a song once the catalog's song.deleted arrives, even with its audio left in the store", async () => {
    expect((await stream(songId, 'bytes=0-99')).status).toBe(206);
    songs.delete(songId);
    await publishSongDeleted(songId);
    await eventually(async () => (await stream(songId, 'bytes=0-99')).status === 404, 'a 404 after song.deleted');
  });

  it('asks the catalog again once the store has lost the audio', async () => {
    expect((await stream(songId, 'bytes=0-99')).status).toBe(206);
    const info = songs.get(songId)!;
    await store.remove(info.objectKey);
    expect((await stream(songId, 'bytes=0-99')).status).toBe(404);
    // The catalog has the song under a new key (it cannot happen today; it shows the gateway asked).
    const moved = `songs/1/${randomUUID()}`;
    await store.putStream(moved, Readable.from([audio]), { contentType: 'audio/mpeg' });
    songs.set(songId, { ...info, objectKey: moved });
    const again = await stream(songId, 'bytes=0-99');
    expect(again.status).toBe(206);
    expect(again.bytes.equals(audio.subarray(0, 100))).toBe(true);
    expect(asked.get(songId)).toBe(2);
  });

  it('forgets everything when NATS goes away, since events may be missed meanwhile', async () => {
    expect((await stream(songId, 'bytes=0-99')).status).toBe(206);
    expect(asked.get(songId)).toBe(1);
    // Deleted while NATS is down: no event can tell the gateway.
    await nats.stop();
    songs.delete(songId);
    await nats.start();
    await eventually(async () => (await stream(songId, 'bytes=0-99')).status === 404, 'the catalog to be asked again');
    expect(asked.get(songId)).toBe(2);
  });
});
