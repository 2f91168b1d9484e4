// Stages through the gateway's HTTP API, against the real stages, playlists, catalog,
// social and identity services: every route and status, playback that moves on by
// itself, chat with its rate limit, and what deleting a song or an account does to a
// stage. (The Socket.IO side is in realtime's own end-to-end tests.)
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChatMessageDto, GenreDto, Page, PlaybackDto, PlaylistDto, SongDto, StageDto } from '@octave/contracts';
import { eventually, tinyPng } from '@octave/platform/testing';
import { makeTones, type ToneExt } from './support/audio.js';
import { fileForm } from './support/media.js';
import { startSystem, type Api, type ApiResponse, type System } from './support/system.js';
import { expectErrorBody, expectIsoUtc, registerUser, type RegisteredUser } from './support/users.js';

const MAX_STAGE_PARTICIPANTS = 3;
const CHAT_RATE_LIMIT = 3;
const CHAT_RATE_WINDOW_SECONDS = 3;
const UNKNOWN_ID = 2_000_000_000;
const STAGE_KEYS = ['coverUrl', 'createdAt', 'genres', 'host', 'id', 'name', 'nowPlaying', 'participantCount', 'playlists'];

let system: System;
let api: Api;
let tones: Record<ToneExt, Buffer>;
let ada: RegisteredUser;
let bob: RegisteredUser;
let genre: GenreDto;
/** Three-second tones ada uploaded, and a playlist of all of them in order. */
let songs: SongDto[];
let playlist: PlaylistDto;

beforeAll(async () => {
  [system, tones] = await Promise.all([
    startSystem('stages', {
      env: {
        MAX_STAGE_PARTICIPANTS: String(MAX_STAGE_PARTICIPANTS),
        CHAT_RATE_LIMIT: String(CHAT_RATE_LIMIT),
        CHAT_RATE_WINDOW_SECONDS: String(CHAT_RATE_WINDOW_SECONDS),
        LOGIN_MAX_FAILURES: '1000',
      },
    }),
    makeTones(),
  ]);
  api = system.api;
  [ada, bob] = [await registerUser(api), await registerUser(api)];
  genre = (await api.post<GenreDto>('/api/genres', { name: `Drone ${Date.now()}` }, { token: ada.accessToken })).body;
  songs = [];
  for (const ext of ['mp3', 'ogg', 'flac'] as const) songs.push(await upload(ada, tones[ext], `Tone ${ext}`));
  playlist = await playlistOf(ada, songs);
}, 180_000);

afterAll(async () => {
  await system?.stop();
}, 30_000);

// ---- helpers ----

async function upload(user: RegisteredUser, file: Buffer, title: string): Promise<SongDto> {
  const form = new FormData();
  form.append('title', title);
  form.append('artist', 'Sox');
  form.append('file', new Blob([new Uint8Array(file)], { type: 'application/octet-stream' }), 'tone.bin');
  const res = await api.request<SongDto>('POST', '/api/songs', { form, token: user.accessToken, timeoutMs: 60_000 });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function playlistOf(user: RegisteredUser, of: SongDto[], name = 'Tones'): Promise<PlaylistDto> {
  const created = await api.post<PlaylistDto>('/api/playlists', { name }, { token: user.accessToken });
  if (created.status !== 201) throw new Error(`playlist answered ${created.status}: ${JSON.stringify(created.body)}`);
  for (const song of of) {
    const res = await api.post(`/api/playlists/${created.body.id}/songs`, { songId: song.id }, { token: user.accessToken });
    if (res.status !== 201) throw new Error(`add song answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return created.body;
}

async function createStage(user: RegisteredUser, body: object = { name: 'Live' }): Promise<StageDto> {
  const res = await api.post<StageDto>('/api/stages', body, { token: user.accessToken });
  if (res.status !== 201) throw new Error(`create stage answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const join = (user: RegisteredUser, id: number) => api.post<StageDto>(`/api/stages/${id}/join`, undefined, { token: user.accessToken });
const getStage = (user: RegisteredUser, id: number | string) => api.get<StageDto>(`/api/stages/${id}`, { token: user.accessToken });
const playback = (user: RegisteredUser, id: number) => api.get<PlaybackDto>(`/api/stages/${id}/playback`, { token: user.accessToken });
const control = (user: RegisteredUser, id: number, body: object) =>
  api.post<PlaybackDto>(`/api/stages/${id}/playback`, body, { token: user.accessToken });
const chat = (user: RegisteredUser, id: number, message: string) =>
  api.post<ChatMessageDto>(`/api/stages/${id}/chat`, { message }, { token: user.accessToken });

function ok<T>(res: ApiResponse<T>, status = 200): T {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

// ---- rooms ----

describe('POST /api/stages', () => {
  it('opens a stage hosted by me, its first participant, with genres and the queue', async () => {
    const stage = await createStage(ada, { name: '  Drones  ', genreIds: [genre.id], playlistIds: [playlist.id] });
    expect(Object.keys(stage).sort()).toEqual(STAGE_KEYS);
    expect(stage).toMatchObject({
      name: 'Drones',
      coverUrl: null,
      host: { id: ada.user.id, username: ada.username },
      genres: [genre],
      playlists: [{ id: playlist.id, name: 'Tones' }],
      participantCount: 1,
      nowPlaying: { songId: null, positionMs: 0, paused: true, startedAt: null },
    });
    expectIsoUtc(stage.createdAt);
    expectIsoUtc(stage.nowPlaying.serverTime);
    const got = ok(await getStage(bob, stage.id));
    expect(got.participants).toEqual([{ id: ada.user.id, username: ada.username, avatarUrl: null }]);
  });

  it('validates the body (400), needs a token (401), and refuses unknown genres and playlists (404)', async () => {
    expectErrorBody(await api.post('/api/stages', { name: '' }, { token: ada.accessToken }), 400);
    expectErrorBody(await api.post('/api/stages', { name: 'x', extra: 1 }, { token: ada.accessToken }), 400);
    expectErrorBody(await api.post('/api/stages', { name: 'x', genreIds: ['a'] }, { token: ada.accessToken }), 400);
    expectErrorBody(await api.post('/api/stages', { name: '   ' }, { token: ada.accessToken }), 400);
    expectErrorBody(await api.post('/api/stages', { name: 'x' }), 401);
    expectErrorBody(await api.post('/api/stages', { name: 'x', genreIds: [UNKNOWN_ID] }, { token: ada.accessToken }), 404);
    expectErrorBody(await api.post('/api/stages', { name: 'x', playlistIds: [UNKNOWN_ID] }, { token: ada.accessToken }), 404);
  });
});

describe('GET /api/stages and /api/stages/:id', () => {
  it('lists live stages, most participants first, filtered by genre, host or friends, page by page', async () => {
    const [host, friend, me] = [await registerUser(api), await registerUser(api), await registerUser(api)];
    const tag = ok(await api.post<GenreDto>('/api/genres', { name: `Tag ${Date.now()}` }, { token: host.accessToken }), 201);
    const quiet = await createStage(host, { name: 'quiet', genreIds: [tag.id] });
    const busy = await createStage(host, { name: 'busy', genreIds: [tag.id] });
    const ended = await createStage(host, { name: 'ended', genreIds: [tag.id] });
    ok(await join(friend, busy.id));
    ok(await api.delete(`/api/stages/${ended.id}`, undefined, { token: host.accessToken }), 204);

    const all = ok(await api.get<Page<StageDto>>(`/api/stages?genreId=${tag.id}`, { token: me.accessToken }));
    expect(all.items.map((s) => [s.id, s.participantCount])).toEqual([
      [busy.id, 2],
      [quiet.id, 1],
    ]);
    const first = ok(await api.get<Page<StageDto>>(`/api/stages?genreId=${tag.id}&limit=1`, { token: me.accessToken }));
    expect(first.items.map((s) => s.id)).toEqual([busy.id]);
    const cursor = encodeURIComponent(first.nextCursor!);
    const second = ok(await api.get<Page<StageDto>>(`/api/stages?genreId=${tag.id}&limit=1&cursor=${cursor}`, { token: me.accessToken }));
    expect(second).toMatchObject({ items: [{ id: quiet.id }], nextCursor: null });
    const hosted = ok(await api.get<Page<StageDto>>(`/api/stages?hostId=${host.user.id}`, { token: me.accessToken }));
    expect(hosted.items.map((s) => s.id)).toEqual([busy.id, quiet.id]);

    // Friends through the social service: only `busy`, which my friend joined.
    const request = ok(await api.post<{ id: number }>('/api/friends/requests', { userId: friend.user.id }, { token: me.accessToken }), 201);
    ok(await api.post(`/api/friends/requests/${request.id}/accept`, undefined, { token: friend.accessToken }));
    const friends = ok(await api.get<Page<StageDto>>('/api/stages?friends=true', { token: me.accessToken }));
    expect(friends.items.map((s) => s.id)).toEqual([busy.id]);

    for (const query of ['friends=maybe', 'genreId=abc', 'limit=0', 'limit=101', 'hostId=-1', 'unknown=1', 'cursor=junk']) {
      expectErrorBody(await api.get(`/api/stages?${query}`, { token: me.accessToken }), 400);
    }
  });

  it('answers 400 for ids that are not ids and 404 for unknown or ended stages', async () => {
    expectErrorBody(await getStage(ada, 'abc'), 400);
    expectErrorBody(await getStage(ada, '0'), 400);
    expectErrorBody(await getStage(ada, UNKNOWN_ID), 404);
  });
});

describe('joining, leaving and kicking', () => {
  it('joins idempotently, up to MAX_STAGE_PARTICIPANTS (then 409)', async () => {
    const stage = await createStage(ada);
    const [u1, u2, u3] = [await registerUser(api), await registerUser(api), await registerUser(api)];
    expect(ok(await join(u1, stage.id)).participantCount).toBe(2);
    expect(ok(await join(u1, stage.id)).participantCount).toBe(2);
    expect(ok(await join(u2, stage.id)).participantCount).toBe(3);
    expectErrorBody(await join(u3, stage.id), 409);
    ok(await api.post(`/api/stages/${stage.id}/leave`, undefined, { token: u2.accessToken }), 204);
    expect(ok(await join(u3, stage.id)).participantCount).toBe(3);
  });

  it('refuses users the host blocked (403), and kicked users for good', async () => {
    const stage = await createStage(ada);
    const [troll, guest] = [await registerUser(api), await registerUser(api)];
    ok(await api.put(`/api/users/${troll.user.id}/block`, undefined, { token: ada.accessToken }), 204);
    expectErrorBody(await join(troll, stage.id), 403);

    ok(await join(guest, stage.id));
    expectErrorBody(await api.post(`/api/stages/${stage.id}/kick`, { userId: ada.user.id }, { token: guest.accessToken }), 403);
    expectErrorBody(await api.post(`/api/stages/${stage.id}/kick`, { userId: 'x' }, { token: ada.accessToken }), 400);
    ok(await api.post(`/api/stages/${stage.id}/kick`, { userId: guest.user.id }, { token: ada.accessToken }), 204);
    expectErrorBody(await join(guest, stage.id), 403);
    expect(ok(await getStage(ada, stage.id)).participants!.map((p) => p.id)).toEqual([ada.user.id]);
  });

  it('ends the stage when the host leaves', async () => {
    const stage = await createStage(bob);
    ok(await api.post(`/api/stages/${stage.id}/leave`, undefined, { token: bob.accessToken }), 204);
    expectErrorBody(await getStage(ada, stage.id), 404);
    expectErrorBody(await join(ada, stage.id), 404);
  });
});

describe('editing a stage', () => {
  it('lets only the host rename it, change its genres, cover and playlists, and end it', async () => {
    const stage = await createStage(ada, { name: 'Before' });
    ok(await join(bob, stage.id));
    expectErrorBody(await api.patch(`/api/stages/${stage.id}`, { name: 'Mine' }, { token: bob.accessToken }), 403);
    expectErrorBody(await api.patch(`/api/stages/${stage.id}`, { name: null }, { token: ada.accessToken }), 400);
    const renamed = ok(await api.patch<StageDto>(`/api/stages/${stage.id}`, { name: 'After', genreIds: [genre.id] }, { token: ada.accessToken }));
    expect(renamed).toMatchObject({ name: 'After', genres: [genre] });

    const attached = ok(await api.post<StageDto>(`/api/stages/${stage.id}/playlists`, { playlistId: playlist.id }, { token: ada.accessToken }));
    expect(attached.playlists).toEqual([{ id: playlist.id, name: 'Tones' }]);
    expectErrorBody(await api.post(`/api/stages/${stage.id}/playlists`, { playlistId: playlist.id }, { token: bob.accessToken }), 403);
    expectErrorBody(await api.post(`/api/stages/${stage.id}/playlists`, { playlistId: UNKNOWN_ID }, { token: ada.accessToken }), 404);
    const detached = ok(await api.delete<StageDto>(`/api/stages/${stage.id}/playlists/${playlist.id}`, undefined, { token: ada.accessToken }));
    expect(detached.playlists).toEqual([]);
    expectErrorBody(await api.delete(`/api/stages/${stage.id}/playlists/${playlist.id}`, undefined, { token: ada.accessToken }), 404);

    const covered = ok(
      await api.request<StageDto>('PUT', `/api/stages/${stage.id}/cover`, { form: fileForm(tinyPng(), 'c.png', 'image/png'), token: ada.accessToken }),
    );
    expect(covered.coverUrl).toMatch(/^https?:\/\//);
    expect((await fetch(covered.coverUrl!)).headers.get('content-type')).toBe('image/png');
    expectErrorBody(
      await api.request('PUT', `/api/stages/${stage.id}/cover`, { form: fileForm(Buffer.from('text, not image'), 'c.png', 'image/png'), token: ada.accessToken }),
      415,
    );
    expectErrorBody(
      await api.request('PUT', `/api/stages/${stage.id}/cover`, { form: fileForm(tinyPng(), 'c.png', 'image/png'), token: bob.accessToken }),
      403,
    );

    expectErrorBody(await api.delete(`/api/stages/${stage.id}`, undefined, { token: bob.accessToken }), 403);
    ok(await api.delete(`/api/stages/${stage.id}`, undefined, { token: ada.accessToken }), 204);
    expectErrorBody(await getStage(bob, stage.id), 404);
  });
});

// ---- playback ----

describe('playback', () => {
  it('plays the queue for participants only, and moves on to the next song by itself', async () => {
    const stage = await createStage(ada, { name: 'Radio', playlistIds: [playlist.id] });
    const outsider = await registerUser(api);
    expectErrorBody(await playback(outsider, stage.id), 403);
    ok(await join(bob, stage.id));
    expectErrorBody(await control(bob, stage.id, { action: 'play', songId: songs[0].id }), 403);
    expectErrorBody(await control(ada, stage.id, { action: 'play' }), 400);
    expectErrorBody(await control(ada, stage.id, { action: 'rewind' }), 400);
    expectErrorBody(await control(ada, stage.id, { action: 'pause' }), 409);

    const played = ok(await control(ada, stage.id, { action: 'play', songId: songs[0].id }));
    expect(played).toMatchObject({ songId: songs[0].id, paused: false });
    expectIsoUtc(played.startedAt!);
    const heard = ok(await playback(bob, stage.id));
    expect(heard.songId).toBe(songs[0].id);
    expect(heard.positionMs).toBeGreaterThanOrEqual(played.positionMs);

    expectErrorBody(await control(ada, stage.id, { action: 'seek', positionMs: songs[0].durationMs }), 400);
    const paused = ok(await control(ada, stage.id, { action: 'pause' }));
    expect(paused.paused).toBe(true);
    ok(await control(ada, stage.id, { action: 'seek', positionMs: songs[0].durationMs - 500 }));
    ok(await control(ada, stage.id, { action: 'resume' }));

    // Half a second of the first tone left: the second starts by itself.
    const next = await eventually(
      async () => {
        const p = ok(await playback(bob, stage.id));
        return p.songId === songs[1].id && p;
      },
      'the second song to start by itself',
      10_000,
    );
    expect(next.paused).toBe(false);
    expect(ok(await getStage(bob, stage.id)).nowPlaying.songId).toBe(songs[1].id);

    expect(ok(await control(ada, stage.id, { action: 'next' })).songId).toBe(songs[2].id);
    expect(ok(await control(ada, stage.id, { action: 'previous' })).songId).toBe(songs[1].id);
    expectErrorBody(await control(ada, stage.id, { action: 'play', songId: UNKNOWN_ID }), 400);
  });

  it('moves on when the song playing is deleted from the catalog', async () => {
    const mine = [await upload(bob, tones.wav, 'Doomed'), await upload(bob, tones.mp3, 'Survivor')];
    const list = await playlistOf(bob, mine, 'Short-lived');
    const stage = await createStage(bob, { name: 'Deletions', playlistIds: [list.id] });
    ok(await control(bob, stage.id, { action: 'play', songId: mine[0].id }));
    ok(await control(bob, stage.id, { action: 'pause' }));
    ok(await api.delete(`/api/songs/${mine[0].id}`, undefined, { token: bob.accessToken }), 204);
    const after = await eventually(async () => {
      const p = ok(await playback(bob, stage.id));
      return p.songId !== mine[0].id && p;
    }, 'the deleted song to leave the playback');
    expect(after).toMatchObject({ songId: mine[1].id, paused: true, positionMs: 0 });
  });
});

// ---- chat ----

describe('chat', () => {
  it('keeps participants’ messages, newest first, and limits how fast each user sends (429)', async () => {
    const stage = await createStage(ada, { name: 'Talk' });
    const [talker, outsider] = [await registerUser(api), await registerUser(api)];
    ok(await join(talker, stage.id));
    expectErrorBody(await chat(outsider, stage.id, 'hi'), 403);
    expectErrorBody(await chat(talker, stage.id, '   '), 400);
    expectErrorBody(await chat(talker, stage.id, 'x'.repeat(1001)), 400);

    const sent: ChatMessageDto[] = [];
    for (let i = 0; i < CHAT_RATE_LIMIT; i++) sent.push(ok(await chat(talker, stage.id, ` message ${i} `), 201));
    expect(sent[0]).toEqual({
      id: expect.any(Number),
      stageId: stage.id,
      sender: { id: talker.user.id, username: talker.username },
      message: 'message 0',
      createdAt: expect.any(String),
    });
    const limited = await chat(talker, stage.id, 'one too many');
    expectErrorBody(limited, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(CHAT_RATE_WINDOW_SECONDS);

    const page1 = ok(await api.get<Page<ChatMessageDto>>(`/api/stages/${stage.id}/chat?limit=2`, { token: ada.accessToken }));
    expect(page1.items.map((m) => m.message)).toEqual(['message 2', 'message 1']);
    const page2 = ok(
      await api.get<Page<ChatMessageDto>>(`/api/stages/${stage.id}/chat?limit=2&before=${page1.nextCursor}`, { token: ada.accessToken }),
    );
    expect(page2).toEqual({ items: [sent[0]], nextCursor: null });
    expectErrorBody(await api.get(`/api/stages/${stage.id}/chat`, { token: outsider.accessToken }), 403);
    expectErrorBody(await api.get(`/api/stages/${stage.id}/chat?before=abc`, { token: ada.accessToken }), 400);

    await sleep(retryAfter * 1000);
    ok(await chat(talker, stage.id, 'and again'), 201);
  });
});

// ---- accounts ----

describe('account deletion', () => {
  it('ends the stages the user hosted and takes them out of the others', async () => {
    const leaving = await registerUser(api);
    const hosted = await createStage(leaving, { name: 'Mine, briefly' });
    const elsewhere = await createStage(ada, { name: 'Still here' });
    ok(await join(leaving, elsewhere.id));
    ok(await api.delete('/api/me', { password: leaving.password }, { token: leaving.accessToken }), 204);
    await eventually(async () => (await getStage(ada, hosted.id)).status === 404, "the deleted host's stage to close");
    const after = await eventually(async () => {
      const s = ok(await getStage(ada, elsewhere.id));
      return s.participantCount === 1 && s;
    }, 'the deleted participant to leave the other stage');
    expect(after.participants!.map((p) => p.id)).toEqual([ada.user.id]);
  });
});

describe('OpenAPI', () => {
  it('documents every stages route', async () => {
    const doc = ok(await api.get<{ paths: Record<string, Record<string, unknown>> }>('/api/docs-json'));
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/stages'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(routes).toEqual(
      [
        'POST /api/stages',
        'GET /api/stages',
        'GET /api/stages/{id}',
        'PATCH /api/stages/{id}',
        'DELETE /api/stages/{id}',
        'PUT /api/stages/{id}/cover',
        'POST /api/stages/{id}/join',
        'POST /api/stages/{id}/leave',
        'POST /api/stages/{id}/kick',
        'POST /api/stages/{id}/playlists',
        'DELETE /api/stages/{id}/playlists/{playlistId}',
        'GET /api/stages/{id}/playback',
        'POST /api/stages/{id}/playback',
        'POST /api/stages/{id}/chat',
        'GET /api/stages/{id}/chat',
      ].sort(),
    );
  });
});
