import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, type EventEnvelope, type GenreDto, type SongDto } from '@octave/contracts';
import { eventually } from '@octave/platform/testing';
import * as Minio from 'minio';
import { makeTones, makeWavOfSize, TONE_FORMATS, type ToneExt } from './support/audio.js';
import { startSystem, type Api, type ApiResponse, type System } from './support/system.js';
import { expectErrorBody, expectIsoUtc, registerUser, type RegisteredUser } from './support/users.js';

/** Small, so the limit can be crossed quickly; every generated tone fits. */
const MAX_UPLOAD_BYTES = 1_000_000;

let system: System;
let api: Api;
let nc: NatsConnection;
let s3: Minio.Client;
let tones: Record<ToneExt, Buffer>;
let ada: RegisteredUser;
let bob: RegisteredUser;

beforeAll(async () => {
  [system, tones] = await Promise.all([
    startSystem('catalog', { env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), LOGIN_MAX_FAILURES: '1000' } }),
    makeTones(),
  ]);
  api = system.api;
  nc = await connect({ servers: system.infra.nats.url });
  const url = new URL(system.infra.s3.endpoint);
  s3 = new Minio.Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: system.infra.s3.accessKey,
    secretKey: system.infra.s3.secretKey,
  });
  [ada, bob] = await Promise.all([registerUser(api), registerUser(api)]);
}, 120_000);

afterAll(async () => {
  await nc?.close();
  await system?.stop();
});

// ---- helpers ----

/** Every object in the bucket, as the S3 server lists them. */
async function bucketKeys(prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  const listing = s3.listObjectsV2(system.infra.s3.bucket, prefix, true) as AsyncIterable<{ name?: string }>;
  for await (const item of listing) if (item.name) keys.push(item.name);
  return keys.sort();
}

interface UploadFields {
  title?: string;
  artist?: string;
  genreIds?: string | string[];
}

/** A song upload form; the text fields go before the file unless `fieldsLast`. */
function songForm(file: Buffer, filename: string, type: string, fields: UploadFields, fieldsLast = false): FormData {
  const form = new FormData();
  const addFields = () => {
    if (fields.title !== undefined) form.append('title', fields.title);
    if (fields.artist !== undefined) form.append('artist', fields.artist);
    for (const id of [fields.genreIds ?? []].flat()) form.append('genreIds', id);
  };
  if (!fieldsLast) addFields();
  form.append('file', new Blob([new Uint8Array(file)], { type }), filename);
  if (fieldsLast) addFields();
  return form;
}

function upload(
  user: RegisteredUser,
  file: Buffer,
  fields: UploadFields = { title: 'A tone', artist: 'Sox' },
  opts: { filename?: string; type?: string; fieldsLast?: boolean } = {},
): Promise<ApiResponse<SongDto>> {
  return api.request<SongDto>('POST', '/api/songs', {
    form: songForm(file, opts.filename ?? 'song.bin', opts.type ?? 'application/octet-stream', fields, opts.fieldsLast),
    token: user.accessToken,
    timeoutMs: 60_000,
  });
}

async function uploaded(user: RegisteredUser, file: Buffer, fields?: UploadFields): Promise<SongDto> {
  const res = await upload(user, file, fields);
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function createGenre(name: string): Promise<GenreDto> {
  const res = await api.post<GenreDto>('/api/genres', { name }, { token: ada.accessToken });
  expect(res.status).toBe(201);
  return res.body;
}

/** The audio as the stream route answers it. */
async function stream(songId: number, token: string, range?: string): Promise<{ res: Response; bytes: Buffer }> {
  const res = await fetch(`${system.baseUrl}/api/songs/${songId}/stream`, {
    headers: { authorization: `Bearer ${token}`, ...(range !== undefined ? { range } : {}) },
    signal: AbortSignal.timeout(15_000),
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Envelopes published on a subject so far, read straight from the JetStream stream. */
async function publishedEvents<D>(subject: string): Promise<EventEnvelope<D>[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(EVENTS_STREAM);
  const found: EventEnvelope<D>[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
    if (msg?.subject === subject) found.push(msg.json<EventEnvelope<D>>());
  }
  return found;
}

// ---- tests ----

describe('genres', () => {
  it('creates genres, unique case-insensitively (409), listed by name', async () => {
    const res = await api.post<GenreDto>('/api/genres', { name: 'Zydeco' }, { token: ada.accessToken });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), name: 'Zydeco' });
    await createGenre('acid jazz');
    await createGenre('Bebop');

    expectErrorBody(await api.post('/api/genres', { name: 'ZYDECO' }, { token: bob.accessToken }), 409);

    const list = await api.get<GenreDto[]>('/api/genres', { token: bob.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.map((g) => g.name)).toEqual(['acid jazz', 'Bebop', 'Zydeco']);
  });

  it('validates the name', async () => {
    for (const body of [{ name: '' }, { name: 'x'.repeat(51) }, { name: 5 }, {}, { name: 'Soul', extra: true }]) {
      expectErrorBody(await api.post('/api/genres', body, { token: ada.accessToken }), 400);
    }
    expectErrorBody(await api.post('/api/genres', { name: 'Soul' }), 401);
  });
});

describe('uploads', () => {
  it.each(TONE_FORMATS.map((f) => [f.ext, f.mimeType] as const))(
    'accepts %s, with the type and duration read from the content',
    async (ext, mimeType) => {
      const genre = await createGenre(`Tone ${ext}`);
      const res = await upload(
        ada,
        tones[ext],
        { title: ` Tone in ${ext} `, artist: 'Sox', genreIds: String(genre.id) },
        // The name and declared type are never trusted: these are deliberately wrong.
        { filename: 'whatever.txt', type: 'text/plain' },
      );
      expect(res.status).toBe(201);
      const song = res.body;
      expect(song).toEqual({
        id: expect.any(Number),
        title: `Tone in ${ext}`,
        artist: 'Sox',
        durationMs: expect.any(Number),
        mimeType,
        sizeBytes: tones[ext].length,
        genres: [genre],
        uploader: { id: ada.user.id, username: ada.username },
        streamUrl: `/api/songs/${song.id}/stream`,
        createdAt: expect.any(String),
      });
      expect(Math.abs(song.durationMs - 3000)).toBeLessThanOrEqual(100);
      expectIsoUtc(song.createdAt);

      const { res: audio, bytes } = await stream(song.id, bob.accessToken);
      expect(audio.status).toBe(200);
      expect(audio.headers.get('content-type')).toBe(mimeType);
      expect(bytes.equals(tones[ext])).toBe(true);
    },
  );

  it('takes the text fields after the file too, and genre ids repeated or comma-separated', async () => {
    const [a, b, c] = await Promise.all(['Order A', 'Order B', 'Order C'].map(createGenre));
    const res = await upload(
      ada,
      tones.ogg,
      { title: 'Fields last', artist: 'Sox', genreIds: [`${c.id},${a.id}`, String(b.id)] },
      { fieldsLast: true },
    );
    expect(res.status).toBe(201);
    expect(res.body.title).toBe('Fields last');
    expect(res.body.genres).toEqual([a, b, c]);
  });

  it('answers 415 to HTML named .mp3 and sent as audio/mpeg, leaving no object behind', async () => {
    const before = await bucketKeys();
    const html = Buffer.from('<!doctype html><html><head><title>x</title></head><body>not audio</body></html>\n');
    const res = await upload(ada, html, { title: 'Evil', artist: 'Nobody' }, { filename: 'evil.mp3', type: 'audio/mpeg' });
    expectErrorBody(res, 415);
    expect(await bucketKeys()).toEqual(before);
  });

  it('takes a file of exactly MAX_UPLOAD_BYTES, and answers 413 to one byte more, leaving no object behind', async () => {
    const atLimit = await makeWavOfSize(MAX_UPLOAD_BYTES);
    const ok = await upload(ada, atLimit, { title: 'At the limit', artist: 'Sox' });
    expect(ok.status).toBe(201);
    expect(ok.body.sizeBytes).toBe(MAX_UPLOAD_BYTES);

    const before = await bucketKeys();
    const overLimit = Buffer.concat([atLimit, Buffer.from([0])]);
    const res = await upload(ada, overLimit, { title: 'Over the limit', artist: 'Sox' });
    expectErrorBody(res, 413);
    expect(await bucketKeys()).toEqual(before);
    // The refused rest of the body must not be taken for the next request on the connection.
    for (let i = 0; i < 2; i++) {
      expect((await api.get('/api/genres', { token: ada.accessToken, timeoutMs: 5_000 })).status).toBe(200);
    }
  });

  it('leaves no object behind when the client goes away in the middle of the file', async () => {
    const before = await bucketKeys();
    const boundary = 'octave-e2e-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nGone\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="artist"\r\n\r\nSox\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
    );
    const req = http.request(`${system.baseUrl}/api/songs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ada.accessToken}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + tones.wav.length + 100),
      },
    });
    req.on('error', () => undefined);
    req.write(head);
    req.write(tones.wav.subarray(0, tones.wav.length / 2));
    await sleep(500);
    req.destroy();
    await sleep(1000);
    expect(await bucketKeys()).toEqual(before);
    expect((await upload(ada, tones.wav)).status).toBe(201);
  });

  it('answers 400 to missing or invalid fields, leaving no object behind', async () => {
    const before = await bucketKeys();
    expectErrorBody(await upload(ada, tones.mp3, { artist: 'No title' }), 400);
    expectErrorBody(await upload(ada, tones.mp3, { title: 'x'.repeat(201), artist: 'a' }), 400);
    expectErrorBody(await upload(ada, tones.mp3, { title: 't', artist: 'a', genreIds: 'one,two' }), 400);
    const unknownField = songForm(tones.mp3, 'a.mp3', 'audio/mpeg', { title: 't', artist: 'a' });
    unknownField.append('album', 'Kind of Blue');
    expectErrorBody(await api.request('POST', '/api/songs', { form: unknownField, token: ada.accessToken }), 400);
    const noFile = new FormData();
    noFile.append('title', 't');
    noFile.append('artist', 'a');
    expectErrorBody(await api.request('POST', '/api/songs', { form: noFile, token: ada.accessToken }), 400);
    expectErrorBody(await api.post('/api/songs', { title: 't', artist: 'a' }, { token: ada.accessToken }), 400);
    expect(await bucketKeys()).toEqual(before);
  });

  it('answers 404 to an unknown genre, and 401 without a token, leaving no object behind', async () => {
    const before = await bucketKeys();
    expectErrorBody(await upload(ada, tones.mp3, { title: 't', artist: 'a', genreIds: '999999' }), 404);
    const res = await api.request('POST', '/api/songs', { form: songForm(tones.mp3, 'a.mp3', 'audio/mpeg', { title: 't', artist: 'a' }) });
    expectErrorBody(res, 401);
    expect(await bucketKeys()).toEqual(before);
  });
});

describe('streaming', () => {
  let song: SongDto;
  let audio: Buffer;

  beforeAll(async () => {
    audio = tones.flac;
    song = await uploaded(ada, audio, { title: 'Ranges', artist: 'Sox' });
  });

  it('answers 200 with the whole file, its type and length, and Accept-Ranges', async () => {
    const { res, bytes } = await stream(song.id, bob.accessToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-type')).toBe('audio/flac');
    expect(res.headers.get('content-length')).toBe(String(audio.length));
    expect(res.headers.get('content-range')).toBeNull();
    expect(bytes.equals(audio)).toBe(true);
  });

  it.each([
    ['a closed range', 'bytes=100-1099', 100, 1099],
    ['an open range', 'bytes=5000-', 5000, -1],
    ['a suffix range', 'bytes=-777', -777, -1],
    ['a range past the end, clipped', 'bytes=10-99999999', 10, -1],
    ['a single byte', 'bytes=0-0', 0, 0],
  ])('answers 206 with exactly the bytes of %s', async (_what, range, from, to) => {
    const start = from < 0 ? audio.length + from : from;
    const end = to < 0 ? audio.length - 1 : to;
    const { res, bytes } = await stream(song.id, bob.accessToken, range);
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${audio.length}`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-type')).toBe('audio/flac');
    expect(bytes.equals(audio.subarray(start, end + 1))).toBe(true);
  });

  it.each(['bytes=999999999-', 'bytes=-0', 'bytes=50-10', 'bytes=abc'])(
    'answers 416 with the size to %s',
    async (range) => {
      const { res, bytes } = await stream(song.id, bob.accessToken, range);
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${audio.length}`);
      const body = JSON.parse(bytes.toString('utf8'));
      expect(body).toEqual({ statusCode: 416, error: 'Range Not Satisfiable', message: expect.any(String) });
    },
  );

  it('answers the whole file to several ranges', async () => {
    const { res, bytes } = await stream(song.id, bob.accessToken, 'bytes=0-9,100-109');
    expect(res.status).toBe(200);
    expect(bytes.equals(audio)).toBe(true);
  });

  it('answers 404 for an unknown song, 400 for a bad id, and 401 without a token', async () => {
    expectErrorBody(await api.get('/api/songs/999999/stream', { token: bob.accessToken }), 404);
    expectErrorBody(await api.get('/api/songs/abc/stream', { token: bob.accessToken }), 400);
    expectErrorBody(await api.get(`/api/songs/${song.id}/stream`), 401);
  });
});

describe('listing and search', () => {
  let carol: RegisteredUser;
  let genre: GenreDto;
  const songs: SongDto[] = [];

  beforeAll(async () => {
    carol = await registerUser(api);
    genre = await createGenre('Search E2E');
    const specs: UploadFields[] = [
      { title: 'Blue in Green', artist: 'Miles Davis', genreIds: String(genre.id) },
      { title: 'So What', artist: 'MILES DAVIS' },
      { title: 'Green Onions', artist: 'Booker T', genreIds: String(genre.id) },
    ];
    for (const spec of specs) songs.push(await uploaded(carol, tones.ogg, spec));
  });

  const list = (query: string) => api.get<{ items: SongDto[]; nextCursor: string | null }>(`/api/songs?${query}`, { token: ada.accessToken });
  const ids = (res: ApiResponse<{ items: SongDto[] }>) => res.body.items.map((s) => s.id);

  it("pages through an uploader's songs, newest first", async () => {
    const first = await list(`uploaderId=${carol.user.id}&limit=2`);
    expect(first.status).toBe(200);
    expect(ids(first)).toEqual([songs[2].id, songs[1].id]);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await list(`uploaderId=${carol.user.id}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(ids(second)).toEqual([songs[0].id]);
    expect(second.body.nextCursor).toBeNull();
    expect(second.body.items[0]).toEqual(songs[0]);
  });

  it('searches titles and artists case-insensitively, and filters by genre', async () => {
    expect(ids(await list(`uploaderId=${carol.user.id}&search=miles`))).toEqual([songs[1].id, songs[0].id]);
    expect(ids(await list(`uploaderId=${carol.user.id}&search=GREEN`))).toEqual([songs[2].id, songs[0].id]);
    expect(ids(await list(`genreId=${genre.id}`))).toEqual([songs[2].id, songs[0].id]);
    expect(ids(await list(`genreId=${genre.id}&search=onion`))).toEqual([songs[2].id]);
  });

  it('lists everyone’s songs by default, 20 to a page', async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(3);
    expect(res.body.items.length).toBeLessThanOrEqual(20);
    const times = res.body.items.map((s) => Date.parse(s.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('answers 400 to bad paging and filters', async () => {
    for (const query of ['limit=0', 'limit=101', 'genreId=abc', 'uploaderId=-3', 'cursor=%25%25', 'search=', 'color=blue']) {
      expectErrorBody(await list(query), 400);
    }
  });

  it('gets one song; 404 when unknown, 400 for a bad id', async () => {
    const res = await api.get<SongDto>(`/api/songs/${songs[0].id}`, { token: bob.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(songs[0]);
    expectErrorBody(await api.get('/api/songs/999999', { token: bob.accessToken }), 404);
    expectErrorBody(await api.get('/api/songs/0', { token: bob.accessToken }), 400);
    expectErrorBody(await api.get('/api/songs/99999999999', { token: bob.accessToken }), 400);
  });
});

describe('changing and deleting songs', () => {
  let song: SongDto;

  beforeAll(async () => {
    song = await uploaded(ada, tones.mp3, { title: 'Draft', artist: 'Sox' });
  });

  it('lets only the uploader change a song', async () => {
    const genre = await createGenre('Edited');
    expectErrorBody(await api.patch(`/api/songs/${song.id}`, { title: 'Stolen' }, { token: bob.accessToken }), 403);
    const res = await api.patch<SongDto>(`/api/songs/${song.id}`, { title: 'Final', genreIds: [genre.id] }, { token: ada.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...song, title: 'Final', genres: [genre] });
    song = res.body;
  });

  it('validates changes', async () => {
    for (const body of [{ title: null }, { title: '' }, { genreIds: [0] }, { genreIds: 'x' }, { mimeType: 'text/html' }]) {
      expectErrorBody(await api.patch(`/api/songs/${song.id}`, body, { token: ada.accessToken }), 400);
    }
    expectErrorBody(await api.patch(`/api/songs/${song.id}`, { genreIds: [999999] }, { token: ada.accessToken }), 404);
    expectErrorBody(await api.patch('/api/songs/999999', { title: 'x' }, { token: ada.accessToken }), 404);
  });

  it('lets only the uploader delete a song; the object goes and song.deleted is published', async () => {
    const keysBefore = await bucketKeys(`uploads/${ada.user.id}/`);
    expectErrorBody(await api.delete(`/api/songs/${song.id}`, undefined, { token: bob.accessToken }), 403);
    expect(await bucketKeys(`uploads/${ada.user.id}/`)).toEqual(keysBefore);

    const res = await api.delete(`/api/songs/${song.id}`, undefined, { token: ada.accessToken });
    expect(res.status).toBe(204);
    const keysAfter = await bucketKeys(`uploads/${ada.user.id}/`);
    expect(keysAfter).toHaveLength(keysBefore.length - 1);
    expectErrorBody(await api.get(`/api/songs/${song.id}`, { token: ada.accessToken }), 404);
    expectErrorBody(await api.get(`/api/songs/${song.id}/stream`, { token: ada.accessToken }), 404);
    expectErrorBody(await api.delete(`/api/songs/${song.id}`, undefined, { token: ada.accessToken }), 404);

    const event = await eventually(
      async () =>
        (await publishedEvents<{ songId: number; uploaderId: number }>('catalog.events.song.deleted')).find(
          (e) => e.data.songId === song.id,
        ),
      'song.deleted on JetStream',
    );
    expect(event).toMatchObject({ type: 'song.deleted', version: 1, data: { songId: song.id, uploaderId: ada.user.id } });
  });

  it('stops streaming a song the gateway was streaming as soon as it is deleted, even if its audio were left behind', async () => {
    /** A song that has just been streamed (so the gateway knows where its audio is), and its key. */
    const streamed = async (title: string): Promise<{ id: number; key: string }> => {
      const before = await bucketKeys(`uploads/${ada.user.id}/`);
      const { id } = await uploaded(ada, tones.ogg, { title, artist: 'Sox' });
      const added = (await bucketKeys(`uploads/${ada.user.id}/`)).filter((k) => !before.includes(k));
      expect(added).toHaveLength(1);
      expect((await stream(id, bob.accessToken, 'bytes=0-99')).res.status).toBe(206);
      return { id, key: added[0] };
    };

    // The audio goes before the delete is answered: the very next read is a 404.
    const gone = await streamed('Gone');
    expect((await api.delete(`/api/songs/${gone.id}`, undefined, { token: ada.accessToken })).status).toBe(204);
    expect((await stream(gone.id, bob.accessToken, 'bytes=0-99')).res.status).toBe(404);

    // Had removing the audio failed, song.deleted still ends the streaming.
    const orphan = await streamed('Orphan');
    expect((await api.delete(`/api/songs/${orphan.id}`, undefined, { token: ada.accessToken })).status).toBe(204);
    await s3.putObject(system.infra.s3.bucket, orphan.key, tones.ogg, tones.ogg.length);
    await eventually(
      async () => (await stream(orphan.id, bob.accessToken, 'bytes=0-99')).res.status === 404,
      'a 404 for the deleted song whose audio is still in the store',
    );
    await s3.removeObject(system.infra.s3.bucket, orphan.key);
  });
});

describe("following the uploader's account", () => {
  it('shows the new username after a rename', async () => {
    const dora = await registerUser(api);
    const song = await uploaded(dora, tones.wav, { title: 'Renamed', artist: 'Sox' });
    const username = `${dora.username.slice(0, 20)}_new`;
    expect((await api.patch('/api/me', { username }, { token: dora.accessToken })).status).toBe(200);
    await eventually(
      async () => (await api.get<SongDto>(`/api/songs/${song.id}`, { token: ada.accessToken })).body.uploader.username === username,
      'the new username on the song',
    );
  });

  it("removes a deleted account's songs and their objects", async () => {
    const eve = await registerUser(api);
    const songs = [await uploaded(eve, tones.mp3), await uploaded(eve, tones.ogg)];
    expect(await bucketKeys(`uploads/${eve.user.id}/`)).toHaveLength(2);

    const res = await api.delete('/api/me', { password: eve.password }, { token: eve.accessToken });
    expect(res.status).toBe(204);
    await eventually(async () => (await bucketKeys(`uploads/${eve.user.id}/`)).length === 0, "the deleted account's objects");
    for (const song of songs) expectErrorBody(await api.get(`/api/songs/${song.id}`, { token: ada.accessToken }), 404);
    const page = await api.get(`/api/songs?uploaderId=${eve.user.id}`, { token: ada.accessToken });
    expect(page.body.items).toEqual([]);
  });
});

describe('OpenAPI', () => {
  it('documents every catalog route', async () => {
    const doc = await api.get('/api/docs-json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths;
    expect(Object.keys(paths['/api/genres']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/songs']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/songs/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(paths['/api/songs/{id}/stream'].get.responses).toHaveProperty('206');
    expect(paths['/api/songs/{id}/stream'].get.responses).toHaveProperty('416');
  });
});
