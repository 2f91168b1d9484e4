// Playlists through the gateway's HTTP API, against the real playlists, catalog and
// identity services: every route and status, positions under concurrent requests, and
// the propagation of song and account deletions.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page, PlaylistDto, PlaylistEntryDto, SongDto } from '@octave/contracts';
import { eventually, tinyPng } from '@octave/platform/testing';
import { makeTones, type ToneExt } from './support/audio.js';
import { fileForm } from './support/media.js';
import { startSystem, type Api, type System } from './support/system.js';
import { expectErrorBody, expectIsoUtc, registerUser, type RegisteredUser } from './support/users.js';

/** Small, so the limit can be crossed quickly. */
const MAX_COVER_BYTES = 64 * 1024;
const UNKNOWN_ID = 2_000_000_000;
const PLAYLIST_KEYS = [
  'coverUrl',
  'createdAt',
  'description',
  'durationMs',
  'id',
  'name',
  'owner',
  'songCount',
  'updatedAt',
];

let system: System;
let api: Api;
let tones: Record<ToneExt, Buffer>;
let ada: RegisteredUser;
let bob: RegisteredUser;
/** Songs ada uploaded to the catalog, as the catalog shows them. */
let songs: SongDto[];

beforeAll(async () => {
  [system, tones] = await Promise.all([
    startSystem('playlists', { env: { MAX_COVER_BYTES: String(MAX_COVER_BYTES) } }),
    makeTones(),
  ]);
  api = system.api;
  ada = await registerUser(api);
  bob = await registerUser(api);
  songs = [];
  for (const ext of ['mp3', 'ogg', 'flac'] as const) songs.push(await upload(ada, tones[ext], `Tone ${ext}`));
}, 120_000);

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

async function createPlaylist(user: RegisteredUser, body: object = { name: 'Road trip' }): Promise<PlaylistDto> {
  const res = await api.post<PlaylistDto>('/api/playlists', body, { token: user.accessToken });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const getPlaylist = (id: number | string, user = bob) => api.get<PlaylistDto>(`/api/playlists/${id}`, { token: user.accessToken });

const addSong = (user: RegisteredUser, playlistId: number, body: object) =>
  api.post<PlaylistEntryDto>(`/api/playlists/${playlistId}/songs`, body, { token: user.accessToken });

async function added(user: RegisteredUser, playlistId: number, songId: number, position?: number): Promise<PlaylistEntryDto> {
  const res = await addSong(user, playlistId, { songId, ...(position !== undefined ? { position } : {}) });
  if (res.status !== 201) throw new Error(`add answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const moveEntry = (user: RegisteredUser, playlistId: number, entryId: number | string, body: object) =>
  api.patch<PlaylistDto>(`/api/playlists/${playlistId}/songs/${entryId}`, body, { token: user.accessToken });

const removeEntry = (user: RegisteredUser, playlistId: number, entryId: number | string) =>
  api.delete(`/api/playlists/${playlistId}/songs/${entryId}`, undefined, { token: user.accessToken });

const putCover = (user: RegisteredUser, playlistId: number, content: Buffer, filename = 'cover.png', type = 'image/png') =>
  api.request<PlaylistDto>('PUT', `/api/playlists/${playlistId}/cover`, {
    form: fileForm(content, filename, type),
    token: user.accessToken,
  });

/** `[position, songId]` of each entry, in the order answered. */
const order = (playlist: PlaylistDto) => playlist.songs!.map((e) => [e.position, e.song.id]);

/** Positions 0..n-1 holding the given songs, in order. */
const laidOut = (songIds: number[]) => songIds.map((id, i) => [i, id]);

// ---- tests ----

describe('POST /api/playlists', () => {
  it('creates an empty playlist owned by me (201)', async () => {
    const res = await api.post<PlaylistDto>(
      '/api/playlists',
      { name: '  Sunday  ', description: 'Slow ones' },
      { token: ada.accessToken },
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: 'Sunday',
      description: 'Slow ones',
      coverUrl: null,
      owner: { id: ada.user.id, username: ada.username },
      songCount: 0,
      durationMs: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expectIsoUtc(res.body.createdAt);
    expectIsoUtc(res.body.updatedAt);
    expect((await createPlaylist(ada, { name: 'No description' })).description).toBeNull();
  });

  it('validates the body: name 1–100, description ≤ 1000, no unknown fields (400)', async () => {
    for (const body of [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(101) },
      { name: 5 },
      { name: 'ok', description: 'd'.repeat(1001) },
      { name: 'ok', extra: true },
    ]) {
      expectErrorBody(await api.post('/api/playlists', body, { token: ada.accessToken }), 400);
    }
    expect((await createPlaylist(ada, { name: 'x'.repeat(100), description: 'd'.repeat(1000) })).name).toHaveLength(100);
  });

  it('needs a token (401)', async () => {
    expectErrorBody(await api.post('/api/playlists', { name: 'Anonymous' }), 401);
  });
});

describe('GET /api/playlists/:id', () => {
  it('answers the playlist with its songs to anyone signed in', async () => {
    const playlist = await createPlaylist(ada, { name: 'Public' });
    const res = await getPlaylist(playlist.id, bob);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...playlist, songs: [] });
  });

  it('answers 404 for an unknown playlist and 400 for a malformed id', async () => {
    expectErrorBody(await getPlaylist(UNKNOWN_ID), 404);
    for (const id of ['abc', '0', '-1', '1.5', '99999999999']) expectErrorBody(await getPlaylist(id), 400);
  });
});

describe('GET /api/users/:id/playlists', () => {
  it("lists a user's playlists newest first, without songs, paged", async () => {
    const carol = await registerUser(api);
    const made: PlaylistDto[] = [];
    for (const name of ['one', 'two', 'three']) made.push(await createPlaylist(carol, { name }));
    await added(carol, made[0].id, songs[0].id);

    const first = await api.get<Page<PlaylistDto>>(`/api/users/${carol.user.id}/playlists?limit=2`, { token: bob.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.items.map((p) => p.name)).toEqual(['three', 'two']);
    for (const item of first.body.items) expect(Object.keys(item).sort()).toEqual(PLAYLIST_KEYS);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.get<Page<PlaylistDto>>(
      `/api/users/${carol.user.id}/playlists?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`,
      { token: bob.accessToken },
    );
    expect(second.body.items).toEqual([
      { ...made[0], songCount: 1, durationMs: songs[0].durationMs, updatedAt: expect.any(String) },
    ]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('is an empty page for a user without playlists; 404 for an unknown user; 400 for bad paging', async () => {
    const quiet = await registerUser(api);
    const empty = await api.get(`/api/users/${quiet.user.id}/playlists`, { token: ada.accessToken });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ items: [], nextCursor: null });
    expectErrorBody(await api.get(`/api/users/${UNKNOWN_ID}/playlists`, { token: ada.accessToken }), 404);
    for (const query of ['limit=0', 'limit=101', 'limit=x', 'cursor=forged', 'extra=1']) {
      expectErrorBody(await api.get(`/api/users/${ada.user.id}/playlists?${query}`, { token: ada.accessToken }), 400);
    }
  });
});

describe('PATCH /api/playlists/:id', () => {
  it('changes the name and description for the owner; null clears the description', async () => {
    const playlist = await createPlaylist(ada, { name: 'Draft', description: 'first take' });
    const renamed = await api.patch<PlaylistDto>(`/api/playlists/${playlist.id}`, { name: 'Final' }, { token: ada.accessToken });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: playlist.id, name: 'Final', description: 'first take' });
    expect(renamed.body).not.toHaveProperty('songs');
    const cleared = await api.patch<PlaylistDto>(`/api/playlists/${playlist.id}`, { description: null }, { token: ada.accessToken });
    expect(cleared.body).toMatchObject({ name: 'Final', description: null });
  });

  it('is for the owner only (403); validates the body (400); 404 for an unknown playlist', async () => {
    const playlist = await createPlaylist(ada, { name: 'Mine' });
    expectErrorBody(await api.patch(`/api/playlists/${playlist.id}`, { name: 'Yours' }, { token: bob.accessToken }), 403);
    for (const body of [{ name: '' }, { name: null }, { name: 'x'.repeat(101) }, { description: 'd'.repeat(1001) }, { owner: 1 }]) {
      expectErrorBody(await api.patch(`/api/playlists/${playlist.id}`, body, { token: ada.accessToken }), 400);
    }
    expectErrorBody(await api.patch(`/api/playlists/${UNKNOWN_ID}`, { name: 'x' }, { token: ada.accessToken }), 404);
    expect((await getPlaylist(playlist.id)).body.name).toBe('Mine');
  });
});

describe('DELETE /api/playlists/:id', () => {
  it('deletes for the owner (204), then it is gone (404); others get 403', async () => {
    const playlist = await createPlaylist(ada, { name: 'Short-lived' });
    expectErrorBody(await api.delete(`/api/playlists/${playlist.id}`, undefined, { token: bob.accessToken }), 403);
    const res = await api.delete(`/api/playlists/${playlist.id}`, undefined, { token: ada.accessToken });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expectErrorBody(await getPlaylist(playlist.id), 404);
    expectErrorBody(await api.delete(`/api/playlists/${playlist.id}`, undefined, { token: ada.accessToken }), 404);
  });
});

describe('PUT /api/playlists/:id/cover', () => {
  it('takes a PNG whatever its name: coverUrl serves it', async () => {
    const playlist = await createPlaylist(ada, { name: 'Covered' });
    const png = tinyPng(4);
    const res = await putCover(ada, playlist.id, png, 'cover.txt', 'text/plain');
    expect(res.status).toBe(200);
    expect(res.body.coverUrl).toEqual(expect.any(String));
    const image = await fetch(res.body.coverUrl!);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);
    expect((await getPlaylist(playlist.id)).body.coverUrl).toEqual(expect.any(String));
  });

  it('refuses HTML named cover.png (415), a file over MAX_COVER_BYTES (413), another user (403)', async () => {
    const playlist = await createPlaylist(ada, { name: 'Guarded' });
    const html = Buffer.from('<!doctype html><html><body>not an image</body></html>');
    expectErrorBody(await putCover(ada, playlist.id, html), 415);
    const big = Buffer.concat([tinyPng(), Buffer.alloc(MAX_COVER_BYTES)]);
    expectErrorBody(await putCover(ada, playlist.id, big), 413);
    expectErrorBody(await putCover(bob, playlist.id, tinyPng()), 403);
    expectErrorBody(await putCover(ada, UNKNOWN_ID, tinyPng()), 404);
    expectErrorBody(await api.put(`/api/playlists/${playlist.id}/cover`, { file: 'x' }, { token: ada.accessToken }), 400);
    expect((await getPlaylist(playlist.id)).body.coverUrl).toBeNull();
  });
});

describe('POST /api/playlists/:id/songs', () => {
  it('adds at the end by default and at a position; the same song may appear twice (201 PlaylistEntry)', async () => {
    const [a, b, c] = songs;
    const playlist = await createPlaylist(ada, { name: 'Entries' });
    const res = await addSong(ada, playlist.id, { songId: a.id });
    expect(res.status).toBe(201);
    const catalogSong = (await api.get<SongDto>(`/api/songs/${a.id}`, { token: ada.accessToken })).body;
    expect(res.body).toEqual({ id: expect.any(Number), position: 0, song: catalogSong });

    await added(ada, playlist.id, b.id);
    await added(ada, playlist.id, c.id, 0);
    await added(ada, playlist.id, a.id, 3);
    await added(ada, playlist.id, b.id, 1);
    const got = (await getPlaylist(playlist.id)).body;
    expect(order(got)).toEqual(laidOut([c.id, b.id, a.id, b.id, a.id]));
    expect(got.songCount).toBe(5);
    expect(got.durationMs).toBe(2 * a.durationMs + 2 * b.durationMs + c.durationMs);
    expect(Date.parse(got.updatedAt)).toBeGreaterThanOrEqual(Date.parse(playlist.updatedAt));
  });

  it('answers 404 for an unknown song, 400 for a position beyond the end or a bad body, 403 for another user', async () => {
    const playlist = await createPlaylist(ada, { name: 'Checked' });
    await added(ada, playlist.id, songs[0].id);
    expectErrorBody(await addSong(ada, playlist.id, { songId: UNKNOWN_ID }), 404);
    expectErrorBody(await addSong(ada, playlist.id, { songId: songs[1].id, position: 2 }), 400);
    for (const body of [{}, { songId: 'x' }, { songId: 0 }, { songId: songs[1].id, position: -1 }, { songId: songs[1].id, position: 1.5 }, { songId: songs[1].id, at: 0 }]) {
      expectErrorBody(await addSong(ada, playlist.id, body), 400);
    }
    expectErrorBody(await addSong(bob, playlist.id, { songId: songs[1].id }), 403);
    expectErrorBody(await addSong(ada, UNKNOWN_ID, { songId: songs[1].id }), 404);
    expect(order((await getPlaylist(playlist.id)).body)).toEqual(laidOut([songs[0].id]));
  });

  it('keeps positions dense under 12 concurrent adds: every one succeeds, at 0..11', async () => {
    const playlist = await createPlaylist(ada, { name: 'Crowded' });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => addSong(ada, playlist.id, { songId: songs[i % songs.length].id })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(results.map((r) => r.body.position).sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    const got = (await getPlaylist(playlist.id)).body;
    expect(got.songs!.map((e) => e.position)).toEqual([...Array(12).keys()]);
    expect(got.songCount).toBe(12);
    for (const r of results) expect(got.songs![r.body.position].id).toBe(r.body.id);
  });
});

describe('PATCH /api/playlists/:id/songs/:entryId', () => {
  it('moves an entry; the others shift; answers the playlist with its songs', async () => {
    const [a, b, c] = songs;
    const playlist = await createPlaylist(ada, { name: 'Moves' });
    const ea = await added(ada, playlist.id, a.id);
    await added(ada, playlist.id, b.id);
    const ec = await added(ada, playlist.id, c.id);

    const down = await moveEntry(ada, playlist.id, ea.id, { position: 2 });
    expect(down.status).toBe(200);
    expect(order(down.body)).toEqual(laidOut([b.id, c.id, a.id]));
    expect(down.body.songs![2].id).toBe(ea.id);
    expect(Object.keys(down.body).sort()).toEqual([...PLAYLIST_KEYS, 'songs'].sort());

    const up = await moveEntry(ada, playlist.id, ec.id, { position: 0 });
    expect(order(up.body)).toEqual(laidOut([c.id, b.id, a.id]));
  });

  it('answers 400 for a position outside 0..n-1, 404 for an unknown entry, 403 for another user', async () => {
    const playlist = await createPlaylist(ada, { name: 'Bounds' });
    const entry = await added(ada, playlist.id, songs[0].id);
    await added(ada, playlist.id, songs[1].id);
    expectErrorBody(await moveEntry(ada, playlist.id, entry.id, { position: 2 }), 400);
    for (const body of [{}, { position: -1 }, { position: '1' }, { position: 0, extra: 1 }]) {
      expectErrorBody(await moveEntry(ada, playlist.id, entry.id, body), 400);
    }
    expectErrorBody(await moveEntry(ada, playlist.id, 'abc', { position: 0 }), 400);
    expectErrorBody(await moveEntry(ada, playlist.id, UNKNOWN_ID, { position: 0 }), 404);
    expectErrorBody(await moveEntry(bob, playlist.id, entry.id, { position: 1 }), 403);
    expect(order((await getPlaylist(playlist.id)).body)).toEqual(laidOut([songs[0].id, songs[1].id]));
  });
});

describe('DELETE /api/playlists/:id/songs/:entryId', () => {
  it('removes an entry (204); the positions close up', async () => {
    const [a, b, c] = songs;
    const playlist = await createPlaylist(ada, { name: 'Removals' });
    await added(ada, playlist.id, a.id);
    const eb = await added(ada, playlist.id, b.id);
    await added(ada, playlist.id, c.id);
    expectErrorBody(await removeEntry(bob, playlist.id, eb.id), 403);
    const res = await removeEntry(ada, playlist.id, eb.id);
    expect(res.status).toBe(204);
    const got = (await getPlaylist(playlist.id)).body;
    expect(order(got)).toEqual(laidOut([a.id, c.id]));
    expect(got).toMatchObject({ songCount: 2, durationMs: a.durationMs + c.durationMs });
    expectErrorBody(await removeEntry(ada, playlist.id, eb.id), 404);
    expectErrorBody(await removeEntry(ada, playlist.id, '0'), 400);
  });
});

describe('propagation', () => {
  it('a song deleted in the catalog leaves every playlist, and the positions close up', async () => {
    const doomed = await upload(bob, tones.wav, 'Doomed');
    const [a, b] = songs;
    const mine = await createPlaylist(ada, { name: 'Has the doomed song' });
    for (const id of [doomed.id, a.id, doomed.id, b.id]) await added(ada, mine.id, id);
    const theirs = await createPlaylist(bob, { name: 'Also has it' });
    for (const id of [a.id, doomed.id]) await added(bob, theirs.id, id);

    expect((await api.delete(`/api/songs/${doomed.id}`, undefined, { token: bob.accessToken })).status).toBe(204);

    // At once the catalog no longer shows the song; then `song.deleted` removes its entries.
    const after = await eventually(async () => {
      const got = (await getPlaylist(mine.id)).body;
      return JSON.stringify(order(got)) === JSON.stringify(laidOut([a.id, b.id])) ? got : undefined;
    }, 'the deleted song to leave the playlist, its positions closed up', 20_000);
    expect(after).toMatchObject({ songCount: 2, durationMs: a.durationMs + b.durationMs });
    await eventually(async () => {
      const got = (await getPlaylist(theirs.id)).body;
      return JSON.stringify(order(got)) === JSON.stringify(laidOut([a.id]));
    }, "the deleted song to leave bob's playlist", 20_000);
    // The list's counts agree once the deletion has propagated.
    const page = await api.get<Page<PlaylistDto>>(`/api/users/${ada.user.id}/playlists`, { token: ada.accessToken });
    expect(page.body.items.find((p) => p.id === mine.id)).toMatchObject({ songCount: 2 });
    expectErrorBody(await addSong(ada, mine.id, { songId: doomed.id }), 404);
  });

  it("a deleted account's playlists go", async () => {
    const dave = await registerUser(api);
    const playlist = await createPlaylist(dave, { name: 'Leaving' });
    await added(dave, playlist.id, songs[0].id);
    const res = await api.delete('/api/me', { password: dave.password }, { token: dave.accessToken });
    expect(res.status).toBe(204);
    await eventually(async () => (await getPlaylist(playlist.id)).status === 404, "the deleted user's playlist to go", 20_000);
    expectErrorBody(await api.get(`/api/users/${dave.user.id}/playlists`, { token: ada.accessToken }), 404);
  });
});

describe('OpenAPI', () => {
  it('documents every playlists route with its schemas', async () => {
    const doc = await api.get('/api/docs-json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths;
    expect(Object.keys(paths['/api/playlists']).sort()).toEqual(['post']);
    expect(Object.keys(paths['/api/playlists/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(paths['/api/playlists/{id}/cover']).sort()).toEqual(['put']);
    expect(Object.keys(paths['/api/playlists/{id}/songs']).sort()).toEqual(['post']);
    expect(Object.keys(paths['/api/playlists/{id}/songs/{entryId}']).sort()).toEqual(['delete', 'patch']);
    expect(Object.keys(paths['/api/users/{id}/playlists']).sort()).toEqual(['get']);
    expect(paths['/api/playlists/{id}/cover'].put.responses).toHaveProperty('415');
    const schemas = doc.body.components.schemas;
    expect(Object.keys(schemas.PlaylistResponse.properties).sort()).toEqual([...PLAYLIST_KEYS, 'songs'].sort());
    expect(schemas.PlaylistResponse.required).not.toContain('songs');
    expect(Object.keys(schemas.PlaylistEntryResponse.properties).sort()).toEqual(['id', 'position', 'song']);
  });
});
