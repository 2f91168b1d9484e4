import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  EVENTS_STREAM,
  type Actor,
  type EventEnvelope,
  type GenreDto,
  type RpcRequest,
  type SongDto,
} from '@octave/contracts';
import { connectNats, RpcCallError, RpcClient } from '@octave/platform/bus';
import { createLogger } from '@octave/platform/observability';
import { startService, type RunningService } from '@octave/platform/service';
import { isStaged, newStagingKey, ObjectStore, stageUpload } from '@octave/platform/storage';
import { eventually, rejection, startTestInfra, type TestInfra } from '@octave/platform/testing';
import * as Minio from 'minio';
import { catalogService } from './app.js';
import { loadCatalogConfig, type CatalogConfig } from './config.js';
import { makeTones, SOX_FORMATS, type SoxExt } from './testing/audio-fixtures.js';

const logger = createLogger('catalog-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const MAX_UPLOAD_BYTES = 1_000_000;
const ADA: Actor = { id: 101, username: 'ada' };
const BOB: Actor = { id: 102, username: 'bob' };

let infra: TestInfra;
let catalog: RunningService<CatalogConfig>;
let nc: NatsConnection;
let rpc: RpcClient;
let store: ObjectStore;
let raw: Minio.Client;
let jsm: JetStreamManager;
let tones: Record<SoxExt, Buffer>;

beforeAll(async () => {
  [infra, tones] = await Promise.all([startTestInfra('catalog'), makeTones()]);
  const config = loadCatalogConfig({
    ...infra.env,
    LOG_LEVEL: 'silent',
    HEALTH_PORT: '0',
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
  });
  catalog = await startService(catalogService, config, { logger });
  nc = await connectNats(infra.nats.url, 'catalog-test', logger);
  rpc = new RpcClient(nc, 20_000);
  jsm = await jetstreamManager(nc);
  const { endpoint, accessKey, secretKey, bucket } = infra.s3;
  store = new ObjectStore({ endpoint, accessKey, secretKey, bucket });
  const url = new URL(endpoint);
  raw = new Minio.Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey, secretKey });
}, 60_000);

afterAll(async () => {
  await nc?.drain();
  await catalog?.close();
  await infra?.stop();
});

// ---- helpers ----

/** Every key in the bucket under `prefix`, as the S3 server lists them. */
async function keys(prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for await (const item of raw.listObjectsV2(infra.s3.bucket, prefix, true) as AsyncIterable<{ name?: string }>) {
    if (item.name) found.push(item.name);
  }
  return found.sort();
}

/** Stages `body` as the gateway does, as an upload of `uploader`. */
async function stage(body: Buffer, uploader: Actor = ADA): Promise<string> {
  const staged = await stageUpload(store, Readable.from([body]), { maxBytes: 10 * MAX_UPLOAD_BYTES, uploaderId: uploader.id });
  return staged.key;
}

async function upload(
  body: Buffer,
  fields: Partial<Omit<RpcRequest<'catalog.song.create'>, 'stagingKey'>> = {},
): Promise<SongDto> {
  const stagingKey = await stage(body, fields.actor ?? ADA);
  return rpc.call('catalog.song.create', {
    actor: ADA,
    title: 'A tone',
    artist: 'Sox',
    genreIds: [],
    ...fields,
    stagingKey,
  });
}

/** The envelopes published on `subject` so far, read straight from the stream. */
async function published<D>(subject: string): Promise<EventEnvelope<D>[]> {
  const { state } = await jsm.streams.info(EVENTS_STREAM);
  const found: EventEnvelope<D>[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
    if (msg?.subject === subject) found.push(msg.json<EventEnvelope<D>>());
  }
  return found;
}

/** Publishes an identity event the way identity's relay does. */
async function publishIdentityEvent(type: string, data: unknown, occurredAt = new Date()): Promise<void> {
  const envelope: EventEnvelope = { id: randomUUID(), type, occurredAt: occurredAt.toISOString(), version: 1, data };
  await jetstream(nc).publish(`identity.events.${type}`, JSON.stringify(envelope), { msgID: envelope.id });
}

// ---- tests ----

describe('genres', () => {
  it('creates genres, unique case-insensitively, and lists them by name', async () => {
    const rock = await rpc.call('catalog.genre.create', { actor: ADA, name: '  Rock ' });
    expect(rock).toEqual({ id: expect.any(Number), name: 'Rock' });
    await rpc.call('catalog.genre.create', { actor: ADA, name: 'ambient' });
    await rpc.call('catalog.genre.create', { actor: BOB, name: 'Jazz' });

    const duplicate = await rejection(rpc.call('catalog.genre.create', { actor: BOB, name: 'ROCK' }));
    expect(duplicate).toMatchObject({ status: 409, code: 'GENRE_EXISTS' });

    const names = (await rpc.call('catalog.genre.list', {})).map((g) => g.name);
    expect(names).toEqual(['ambient', 'Jazz', 'Rock']);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['51 characters', 'x'.repeat(51)],
  ])('refuses a name that is %s with a 400', async (_what, name) => {
    expect(await rejection(rpc.call('catalog.genre.create', { actor: ADA, name }))).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('uploads', () => {
  let genres: GenreDto[];

  beforeAll(async () => {
    genres = await Promise.all(
      ['Upload A', 'Upload B'].map((name) => rpc.call('catalog.genre.create', { actor: ADA, name })),
    );
  });

  it.each(SOX_FORMATS.map((f) => [f.ext, f.mimeType] as const))(
    'adopts a %s file where it was staged: type and duration read from the content',
    async (ext, mimeType) => {
      const stagingKey = await stage(tones[ext]);
      const song = await rpc.call('catalog.song.create', {
        actor: ADA,
        stagingKey,
        title: `  Tone ${ext} `,
        artist: 'Sox',
        genreIds: [genres[1].id, genres[0].id, genres[1].id],
      });
      expect(song).toEqual({
        id: expect.any(Number),
        title: `Tone ${ext}`,
        artist: 'Sox',
        durationMs: expect.any(Number),
        mimeType,
        sizeBytes: tones[ext].length,
        genres: [genres[0], genres[1]],
        uploader: { id: ADA.id, username: ADA.username },
        streamUrl: `/api/songs/${song.id}/stream`,
        createdAt: expect.stringMatching(/Z$/),
      });
      expect(Math.abs(song.durationMs - 3000)).toBeLessThanOrEqual(100);

      const info = await rpc.call('catalog.song.streamInfo', { id: song.id });
      expect(info).toEqual({ objectKey: stagingKey, mimeType, sizeBytes: tones[ext].length });
      expect(await store.stat(stagingKey)).toMatchObject({ sizeBytes: tones[ext].length, contentType: mimeType });
      // No longer an upload for the lifecycle rule to expire.
      expect(await isStaged(store, stagingKey)).toBe(false);

      const created = await eventually(
        async () =>
          (await published<{ songId: number }>('catalog.events.song.created')).find((e) => e.data.songId === song.id),
        'song.created',
      );
      expect(created.data).toEqual({
        songId: song.id,
        uploaderId: ADA.id,
        title: `Tone ${ext}`,
        artist: 'Sox',
        durationMs: song.durationMs,
        genreIds: [genres[1].id, genres[0].id],
      });
    },
  );

  it('refuses HTML with a 415, removing the staged object', async () => {
    const before = await keys('uploads/');
    const stagingKey = await stage(Buffer.from('<!doctype html><html><body>not a song</body></html>\n'));
    const err = await rejection(
      rpc.call('catalog.song.create', { actor: ADA, stagingKey, title: 't', artist: 'a', genreIds: [] }),
    );
    expect(err).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await store.stat(stagingKey)).toBeNull();
    expect(await keys('uploads/')).toEqual(before);
  });

  it('refuses a file that starts like an MP3 but is not one (sniffing alone is not enough)', async () => {
    // An ID3v2 header claiming a tag longer than the sniffed head, then noise.
    const fake = Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x01\x00\x00', 'latin1'), Buffer.alloc(30_000, 0x41)]);
    const stagingKey = await stage(fake);
    const err = await rejection(
      rpc.call('catalog.song.create', { actor: ADA, stagingKey, title: 't', artist: 'a', genreIds: [] }),
    );
    expect(err).toMatchObject({ status: 415 });
    expect(await store.stat(stagingKey)).toBeNull();
  });

  it('refuses a truncated FLAC file', async () => {
    const err = await rejection(upload(tones.flac.subarray(0, 40)));
    expect(err).toMatchObject({ status: 415 });
  });

  it('refuses a staged object over MAX_UPLOAD_BYTES with a 413 and removes it', async () => {
    const stagingKey = await stage(Buffer.concat([tones.mp3, randomBytes(MAX_UPLOAD_BYTES + 1 - tones.mp3.length)]));
    const err = await rejection(
      rpc.call('catalog.song.create', { actor: ADA, stagingKey, title: 't', artist: 'a', genreIds: [] }),
    );
    expect(err).toMatchObject({ status: 413, code: 'UPLOAD_TOO_LARGE' });
    expect(await store.stat(stagingKey)).toBeNull();
  });

  it('answers 404 for an unknown genre, and 400 for invalid fields, consuming the upload either way', async () => {
    const before = await keys();
    expect(await rejection(upload(tones.ogg, { genreIds: [genres[0].id, 999_999] }))).toMatchObject({
      status: 404,
      code: 'GENRE_NOT_FOUND',
    });
    const invalid = await rejection(upload(tones.ogg, { title: ' ', artist: 'x'.repeat(201), genreIds: [0] }));
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(invalid.details).toHaveLength(3);
    expect(await keys()).toEqual(before);
  });

  it("adopts nothing but the caller's staged uploads, and leaves other keys alone", async () => {
    const create = (stagingKey: string, genreIds: number[] = []) =>
      rejection(rpc.call('catalog.song.create', { actor: ADA, stagingKey, title: 't', artist: 'a', genreIds }));
    await store.putStream('elsewhere/keep.mp3', Readable.from([tones.mp3]));
    const bobs = await stage(tones.mp3, BOB);
    for (const stagingKey of ['elsewhere/keep.mp3', 'uploads/../elsewhere/keep.mp3', `staging/${randomUUID()}`, bobs]) {
      expect(await create(stagingKey)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
    expect(await store.stat('elsewhere/keep.mp3')).not.toBeNull();
    expect(await isStaged(store, bobs)).toBe(true);

    // A song's audio is no upload any more: naming it again (with a genre that would be
    // refused) neither makes a second song of it nor removes it.
    const song = await upload(tones.mp3);
    const { objectKey } = await rpc.call('catalog.song.streamInfo', { id: song.id });
    expect(await create(objectKey, [999_999])).toMatchObject({ status: 400, code: 'UPLOAD_NOT_FOUND' });
    expect(await store.stat(objectKey)).not.toBeNull();
    expect(await create(newStagingKey(ADA.id))).toMatchObject({ status: 400, code: 'UPLOAD_NOT_FOUND' });
  });
});

describe('search, get and getMany', () => {
  const uploader: Actor = { id: 201, username: 'searcher' };
  const songs: SongDto[] = [];
  let genre: GenreDto;

  beforeAll(async () => {
    genre = await rpc.call('catalog.genre.create', { actor: uploader, name: 'Search Genre' });
    const specs = [
      { title: 'Blue in Green', artist: 'Miles Davis', genreIds: [genre.id] },
      { title: 'So What', artist: 'MILES davis', genreIds: [] },
      { title: '100% Pure', artist: 'Under_Score', genreIds: [genre.id] },
      { title: 'Green Onions', artist: 'Booker T', genreIds: [] },
      { title: 'Naïve Melody', artist: 'Talking Heads', genreIds: [genre.id] },
    ];
    for (const spec of specs) {
      const stagingKey = await stage(tones.ogg, uploader);
      songs.push(await rpc.call('catalog.song.create', { actor: uploader, stagingKey, ...spec }));
    }
  });

  const ids = (page: { items: SongDto[] }) => page.items.map((s) => s.id);
  const search = (req: Partial<RpcRequest<'catalog.song.search'>>) =>
    rpc.call('catalog.song.search', { limit: 20, uploaderId: uploader.id, ...req });

  it('lists newest first and pages with cursors', async () => {
    const newestFirst = songs.map((s) => s.id).reverse();
    const first = await search({ limit: 2 });
    expect(ids(first)).toEqual(newestFirst.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await search({ limit: 2, cursor: first.nextCursor! });
    expect(ids(second)).toEqual(newestFirst.slice(2, 4));
    const third = await search({ limit: 2, cursor: second.nextCursor! });
    expect(ids(third)).toEqual(newestFirst.slice(4));
    expect(third.nextCursor).toBeNull();
  });

  it('finds a case-insensitive substring of the title or the artist', async () => {
    expect(ids(await search({ search: 'miles' }))).toEqual([songs[1].id, songs[0].id]);
    expect(ids(await search({ search: 'GREEN' }))).toEqual([songs[3].id, songs[0].id]);
    expect(ids(await search({ search: 'naïve' }))).toEqual([songs[4].id]);
    expect(ids(await search({ search: 'nothing like it' }))).toEqual([]);
  });

  it('takes % and _ in the search literally', async () => {
    // As wildcards, these would match "Blue in Green" and "Under_Score".
    expect(ids(await search({ search: 'e%g' }))).toEqual([]);
    expect(ids(await search({ search: 'u_d' }))).toEqual([]);
    expect(ids(await search({ search: '0% p' }))).toEqual([songs[2].id]);
    expect(ids(await search({ search: 'der_sc' }))).toEqual([songs[2].id]);
  });

  it('filters by genre and by uploader', async () => {
    expect(ids(await search({ genreId: genre.id }))).toEqual([songs[4].id, songs[2].id, songs[0].id]);
    expect(ids(await search({ genreId: genre.id, search: 'blue' }))).toEqual([songs[0].id]);
    expect(ids(await search({ uploaderId: 999_999 }))).toEqual([]);
  });

  it('uses the trigram indexes for substring search', async () => {
    const em = catalog.orm.em.fork();
    const plan = await em.transactional(async (tx) => {
      // With few rows a sequential scan is cheaper; forbid it to see what index can serve the query.
      await tx.execute('SET LOCAL enable_seqscan = off', [], 'run');
      const rows = await tx.execute<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN SELECT id FROM catalog.songs WHERE title ILIKE '%green%' OR artist ILIKE '%green%'`,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('songs_title_trgm_idx');
    expect(plan).toContain('songs_artist_trgm_idx');
  });

  it('refuses bad paging and filters with a 400', async () => {
    for (const req of [{ limit: 0 }, { limit: 101 }, { cursor: 'not-a-cursor' }, { genreId: -1 }, { search: 'x'.repeat(101) }]) {
      expect(await rejection(search(req))).toMatchObject({ status: 400 });
    }
  });

  it('gets one song, and many in the order asked, leaving unknown ids out', async () => {
    expect(await rpc.call('catalog.song.get', { id: songs[2].id })).toEqual(songs[2]);
    expect(await rejection(rpc.call('catalog.song.get', { id: 999_999 }))).toMatchObject({
      status: 404,
      code: 'SONG_NOT_FOUND',
    });
    const many = await rpc.call('catalog.song.getMany', { ids: [songs[3].id, 999_999, songs[0].id, songs[3].id] });
    expect(many).toEqual([songs[3], songs[0]]);
    expect(await rpc.call('catalog.song.getMany', { ids: [] })).toEqual([]);
  });

  it('answers gets sent at once (read with one statement) each with its own song or its own 404', async () => {
    const ids = [songs[1].id, 999_999, songs[0].id, songs[1].id, songs[3].id, 999_998];
    const answers = await Promise.all(ids.map((id) => rpc.call('catalog.song.get', { id }).catch((err: unknown) => err)));
    expect(answers.filter((a, i) => i !== 1 && i !== 5)).toEqual([songs[1], songs[0], songs[1], songs[3]]);
    for (const missing of [answers[1], answers[5]]) {
      expect(missing).toBeInstanceOf(RpcCallError);
      expect(missing).toMatchObject({ status: 404, code: 'SONG_NOT_FOUND' });
    }
  });
});

describe('update and delete', () => {
  let song: SongDto;
  let genre: GenreDto;

  beforeAll(async () => {
    genre = await rpc.call('catalog.genre.create', { actor: ADA, name: 'Edit Genre' });
    song = await upload(tones.mp3, { title: 'Before', genreIds: [] });
  });

  it('lets only the uploader change a song', async () => {
    expect(await rejection(rpc.call('catalog.song.update', { actor: BOB, id: song.id, title: 'Mine now' }))).toMatchObject({
      status: 403,
      code: 'SONG_NOT_OWNER',
    });
    expect(await rejection(rpc.call('catalog.song.update', { actor: ADA, id: 999_999, title: 'x' }))).toMatchObject({
      status: 404,
    });
    const updated = await rpc.call('catalog.song.update', {
      actor: ADA,
      id: song.id,
      title: ' After ',
      genreIds: [genre.id],
    });
    expect(updated).toEqual({ ...song, title: 'After', genres: [genre] });

    const event = await eventually(
      async () =>
        (await published<{ songId: number; fields: string[] }>('catalog.events.song.updated')).find(
          (e) => e.data.songId === song.id,
        ),
      'song.updated',
    );
    expect(event.data).toEqual({
      songId: song.id,
      uploaderId: ADA.id,
      title: 'After',
      artist: song.artist,
      durationMs: song.durationMs,
      genreIds: [genre.id],
      fields: ['title', 'genreIds'],
    });
  });

  it('lets only the uploader delete a song; its object goes and song.deleted is published', async () => {
    const { objectKey } = await rpc.call('catalog.song.streamInfo', { id: song.id });
    expect(await rejection(rpc.call('catalog.song.delete', { actor: BOB, id: song.id }))).toMatchObject({ status: 403 });
    expect(await store.stat(objectKey)).not.toBeNull();

    expect(await rpc.call('catalog.song.delete', { actor: ADA, id: song.id })).toEqual({ ok: true });
    expect(await store.stat(objectKey)).toBeNull();
    expect(await rejection(rpc.call('catalog.song.get', { id: song.id }))).toMatchObject({ status: 404 });
    expect(await rejection(rpc.call('catalog.song.delete', { actor: ADA, id: song.id }))).toMatchObject({ status: 404 });

    const deleted = await eventually(
      async () =>
        (await published<{ songId: number }>('catalog.events.song.deleted')).find((e) => e.data.songId === song.id),
      'song.deleted',
    );
    expect(deleted.data).toEqual({ songId: song.id, uploaderId: ADA.id });
  });
});

describe("identity's user events", () => {
  it('shows the newest username of the uploader, whatever order the events arrive in', async () => {
    const carol: Actor = { id: 301, username: 'carol' };
    const stagingKey = await stage(tones.wav, carol);
    const song = await rpc.call('catalog.song.create', { actor: carol, stagingKey, title: 't', artist: 'a', genreIds: [] });
    expect(song.uploader).toEqual({ id: 301, username: 'carol' });

    const now = Date.now();
    await publishIdentityEvent('user.updated', { userId: 301, username: 'carol.new', fields: ['username'] }, new Date(now));
    await eventually(
      async () => (await rpc.call('catalog.song.get', { id: song.id })).uploader.username === 'carol.new',
      'the new username',
    );
    // An older event, redelivered late, and an upload with a token from before the rename change nothing.
    await publishIdentityEvent('user.updated', { userId: 301, username: 'carol.old', fields: ['username'] }, new Date(now - 60_000));
    const second = await rpc.call('catalog.song.create', {
      actor: carol,
      stagingKey: await stage(tones.ogg, carol),
      title: 't2',
      artist: 'a',
      genreIds: [],
    });
    await sleep(500);
    expect((await rpc.call('catalog.song.get', { id: song.id })).uploader.username).toBe('carol.new');
    expect(second.uploader.username).toBe('carol.new');
  });

  it("deletes a deleted user's songs and objects, announces each, and refuses their later uploads", async () => {
    const dave: Actor = { id: 401, username: 'dave' };
    const created: SongDto[] = [];
    for (const ext of ['mp3', 'flac'] as const) {
      created.push(
        await rpc.call('catalog.song.create', { actor: dave, stagingKey: await stage(tones[ext], dave), title: ext, artist: 'd', genreIds: [] }),
      );
    }
    const keep = await upload(tones.ogg, {});
    expect(await keys(`uploads/${dave.id}/`)).toHaveLength(2);

    await publishIdentityEvent('user.deleted', { userId: dave.id });
    await eventually(async () => (await keys(`uploads/${dave.id}/`)).length === 0, "the deleted user's objects to go");
    const page = await rpc.call('catalog.song.search', { limit: 10, uploaderId: dave.id });
    expect(page.items).toEqual([]);
    expect(await rpc.call('catalog.song.get', { id: keep.id })).toEqual(keep);

    const deletedIds = await eventually(async () => {
      const events = await published<{ songId: number; uploaderId: number }>('catalog.events.song.deleted');
      const mine = events.filter((e) => e.data.uploaderId === dave.id).map((e) => e.data.songId);
      return mine.length === 2 ? mine.sort((a, b) => a - b) : undefined;
    }, 'a song.deleted per song');
    expect(deletedIds).toEqual(created.map((s) => s.id).sort((a, b) => a - b));

    const stagingKey = await stage(tones.mp3, dave);
    const refused = await rejection(
      rpc.call('catalog.song.create', { actor: dave, stagingKey, title: 'late', artist: 'd', genreIds: [] }),
    );
    expect(refused).toMatchObject({ status: 401, code: 'ACCOUNT_DELETED' });
    expect(await store.stat(stagingKey)).toBeNull();
    expect(await keys(`uploads/${dave.id}/`)).toEqual([]);
  });
});

describe('health', () => {
  it('answers its ping with the database, NATS and the object store up', async () => {
    expect(await rpc.call('catalog.health.ping', {})).toEqual({
      service: 'catalog',
      status: 'up',
      checks: { database: { status: 'up' }, nats: { status: 'up' }, objectStore: { status: 'up' } },
    });
  });
});
