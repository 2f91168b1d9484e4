// The signed-in user's profile, avatars, public profiles, user search and account
// deletion, through the gateway's HTTP API against the real identity service.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MeDto, Page, UserDto } from '@octave/contracts';
import { tinyPng } from '@octave/platform/testing';
import { fileForm } from './support/media.js';
import { expectStillAnswering, startSystem, type Api, type System } from './support/system.js';
import { expectErrorBody, expectIsoUtc, registerUser, uniqueUsername, type RegisteredUser } from './support/users.js';

let system: System;
let api: Api;

beforeAll(async () => {
  system = await startSystem('profile', { env: { LOGIN_MAX_FAILURES: '1000' } });
  api = system.api;
}, 90_000);

afterAll(async () => {
  await system?.stop();
}, 30_000);

const USER_KEYS = ['avatarUrl', 'bio', 'createdAt', 'followersCount', 'followingCount', 'friendsCount', 'id', 'username'];

describe('GET and PATCH /api/me', () => {
  let u: RegisteredUser;
  beforeAll(async () => {
    u = await registerUser(api);
  });

  it('returns Me: the public profile plus the e-mail', async () => {
    const res = await api.get<MeDto>('/api/me', { token: u.accessToken });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([...USER_KEYS, 'email'].sort());
    expect(res.body).toEqual(u.user);
  });

  it('changes the bio, and keeps it', async () => {
    const res = await api.patch<MeDto>('/api/me', { bio: 'I play the theremin.' }, { token: u.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.bio).toBe('I play the theremin.');
    expect(res.body.username).toBe(u.username);
    expect((await api.get<MeDto>('/api/me', { token: u.accessToken })).body.bio).toBe('I play the theremin.');
  });

  it('accepts a bio of 500 characters and refuses 501 with 400', async () => {
    expect((await api.patch('/api/me', { bio: 'b'.repeat(500) }, { token: u.accessToken })).status).toBe(200);
    expectErrorBody(await api.patch('/api/me', { bio: 'b'.repeat(501) }, { token: u.accessToken }), 400);
    expect((await api.get<MeDto>('/api/me', { token: u.accessToken })).body.bio).toBe('b'.repeat(500));
  });

  it('changes the username and the e-mail', async () => {
    const v = await registerUser(api);
    const username = uniqueUsername('renamed_');
    const email = `${username}@example.org`;
    const res = await api.patch<MeDto>('/api/me', { username, email }, { token: v.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: v.user.id, username, email });
    // The new name logs in; the old one no longer does.
    expect((await api.post('/api/auth/login', { login: username, password: v.password })).status).toBe(200);
    expectErrorBody(await api.post('/api/auth/login', { login: v.username, password: v.password }), 401);
  });

  it('answers 409 for a username or e-mail that someone else has', async () => {
    const other = await registerUser(api);
    expectErrorBody(await api.patch('/api/me', { username: other.username }, { token: u.accessToken }), 409);
    expectErrorBody(await api.patch('/api/me', { email: other.email.toUpperCase() }, { token: u.accessToken }), 409);
    expect((await api.get<MeDto>('/api/me', { token: u.accessToken })).body.username).toBe(u.username);
  });

  it('validates every field and rejects unknown ones with 400', async () => {
    expectErrorBody(await api.patch('/api/me', { username: 'No Spaces' }, { token: u.accessToken }), 400);
    expectErrorBody(await api.patch('/api/me', { email: 'nope' }, { token: u.accessToken }), 400);
    expectErrorBody(await api.patch('/api/me', { friendsCount: 1000 }, { token: u.accessToken }), 400);
  });

  it('needs a token', async () => {
    expectErrorBody(await api.patch('/api/me', { bio: 'x' }), 401);
  });
});

describe('PUT and DELETE /api/me/avatar', () => {
  let u: RegisteredUser;
  beforeAll(async () => {
    u = await registerUser(api);
  });

  it('stores a PNG and answers Me with an avatarUrl that serves it', async () => {
    const png = tinyPng(4);
    const res = await api.request<MeDto>('PUT', '/api/me/avatar', {
      form: fileForm(png, 'me.png', 'image/png'),
      token: u.accessToken,
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(u.user.id);
    expect(typeof res.body.avatarUrl).toBe('string');

    const image = await fetch(new URL(res.body.avatarUrl!, system.baseUrl), { signal: AbortSignal.timeout(10_000) });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\/png/);
    expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);

    // Others see it on the public profile too.
    const other = await registerUser(api);
    const profile = await api.get<UserDto>(`/api/users/${u.user.id}`, { token: other.accessToken });
    expect(typeof profile.body.avatarUrl).toBe('string');
  });

  it('sniffs the content: HTML named evil.png and sent as image/png is 415', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>\n');
    const res = await api.request('PUT', '/api/me/avatar', {
      form: fileForm(html, 'evil.png', 'image/png'),
      token: u.accessToken,
    });
    expectErrorBody(res, 415);
  });

  it('refuses a file over 5 MB with 413', async () => {
    // A PNG signature, then far more than 5 MB, so only the size can be the reason.
    const big = Buffer.concat([tinyPng(1), randomBytes(6 * 1024 * 1024)]);
    const res = await api.request('PUT', '/api/me/avatar', {
      form: fileForm(big, 'big.png', 'image/png'),
      token: u.accessToken,
      timeoutMs: 30_000,
    });
    expectErrorBody(res, 413);

    await expectStillAnswering(api, '/api/me', u.accessToken);
  });

  it('answers 400 when the multipart body has no file', async () => {
    const form = new FormData();
    form.append('other', 'value');
    expectErrorBody(await api.request('PUT', '/api/me/avatar', { form, token: u.accessToken }), 400);
  });

  it('removes the avatar: avatarUrl becomes null', async () => {
    const put = await api.request<MeDto>('PUT', '/api/me/avatar', {
      form: fileForm(tinyPng(), 'a.png', 'image/png'),
      token: u.accessToken,
    });
    expect(put.status).toBe(200);
    const res = await api.delete<MeDto>('/api/me/avatar', undefined, { token: u.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.avatarUrl).toBeNull();
    expect((await api.get<MeDto>('/api/me', { token: u.accessToken })).body.avatarUrl).toBeNull();
  });

  it('needs a token', async () => {
    const res = await api.request('PUT', '/api/me/avatar', { form: fileForm(tinyPng(), 'a.png', 'image/png') });
    expectErrorBody(res, 401);
  });
});

describe('GET /api/users/:id', () => {
  let viewer: RegisteredUser;
  beforeAll(async () => {
    viewer = await registerUser(api);
  });

  it('returns the public profile, without the e-mail', async () => {
    const target = await registerUser(api);
    const res = await api.get<UserDto>(`/api/users/${target.user.id}`, { token: viewer.accessToken });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(USER_KEYS);
    const { email: _email, ...publicPart } = target.user;
    expect(res.body).toEqual(publicPart);
    expectIsoUtc(res.body.createdAt);
  });

  it('answers 404 for an unknown id', async () => {
    expectErrorBody(await api.get('/api/users/2000000000', { token: viewer.accessToken }), 404);
  });

  it.each(['abc', '0', '-1', '1.5', '1e3', '99999999999999999999'])('answers 400 for the id %s', async (id) => {
    expectErrorBody(await api.get(`/api/users/${id}`, { token: viewer.accessToken }), 400);
  });

  it('needs a token', async () => {
    expectErrorBody(await api.get(`/api/users/${viewer.user.id}`), 401);
  });
});

describe('GET /api/users?search=', () => {
  const prefix = `s${randomBytes(4).toString('hex')}_`;
  let viewer: RegisteredUser;
  let expected: string[];

  beforeAll(async () => {
    viewer = await registerUser(api);
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'].map((n) => `${prefix}${n}`);
    for (const username of names) await registerUser(api, { username });
    // Contains the prefix, but does not start with it.
    await registerUser(api, { username: `x${prefix}zulu` });
    expected = [...names].sort();
  }, 60_000);

  it('pages through the users whose username starts with the prefix, in order', async () => {
    const seen: UserDto[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = new URLSearchParams({ search: prefix, limit: '2' });
      if (cursor) query.set('cursor', cursor);
      const res = await api.get<Page<UserDto>>(`/api/users?${query}`, { token: viewer.accessToken });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      for (const item of res.body.items) expect(Object.keys(item).sort()).toEqual(USER_KEYS);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
      expect(pages).toBeLessThanOrEqual(4);
    } while (cursor !== null);

    expect(pages).toBe(3);
    const usernames = seen.map((u) => u.username);
    expect(new Set(seen.map((u) => u.id)).size).toBe(seen.length);
    expect(usernames).toEqual(expected);
  });

  it('matches the prefix case-insensitively', async () => {
    const res = await api.get<Page<UserDto>>(`/api/users?search=${prefix.toUpperCase()}`, { token: viewer.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.items.map((u) => u.username)).toEqual(expected);
  });

  it('returns one page with nextCursor null when everything fits', async () => {
    const res = await api.get<Page<UserDto>>(`/api/users?search=${prefix}`, { token: viewer.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.items.map((u) => u.username)).toEqual(expected);
    expect(res.body.nextCursor).toBeNull();
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'cursor=%00garbage%00'])('answers 400 for %s', async (query) => {
    expectErrorBody(await api.get(`/api/users?search=${prefix}&${query}`, { token: viewer.accessToken }), 400);
  });
});

describe('DELETE /api/me', () => {
  it('needs the right password (401), then deletes the account (204)', async () => {
    const u = await registerUser(api);
    const other = await registerUser(api);

    expectErrorBody(await api.delete('/api/me', { password: 'not my password' }, { token: u.accessToken }), 401);
    expect((await api.get(`/api/users/${u.user.id}`, { token: other.accessToken })).status).toBe(200);

    expectErrorBody(await api.delete('/api/me', {}, { token: u.accessToken }), 400);

    const res = await api.delete('/api/me', { password: u.password }, { token: u.accessToken });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');

    expectErrorBody(await api.post('/api/auth/login', { login: u.username, password: u.password }), 401);
    expectErrorBody(await api.post('/api/auth/refresh', { refreshToken: u.refreshToken }), 401);
    expectErrorBody(await api.get(`/api/users/${u.user.id}`, { token: other.accessToken }), 404);
    const search = await api.get<Page<UserDto>>(`/api/users?search=${u.username}`, { token: other.accessToken });
    expect(search.body.items).toEqual([]);
  });
});
