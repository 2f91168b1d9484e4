import { describe, expect, it } from '@jest/globals';
import { createOctaveClient, ok } from './client.js';
import { OctaveApiError } from './errors.js';
import { memoryTokenStore, type TokenPair } from './tokens.js';

/**
 * A scripted gateway in front of the client's fetch: it checks bearer tokens and
 * rotates refresh tokens the way the API does (each works once), so the client's token
 * handling is tested against the protocol rather than against its own expectations.
 */
function fakeGateway(opts: { refreshStatus?: number } = {}) {
  let generation = 1;
  const valid = { access: 'access-1', refresh: 'refresh-1' };
  const log: string[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    log.push(`${request.method} ${url.pathname}`);
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (url.pathname === '/api/auth/refresh') {
      // Let concurrent callers pile up, as they would on a real network.
      await new Promise((r) => setTimeout(r, 5));
      if (opts.refreshStatus) return json(opts.refreshStatus, { statusCode: opts.refreshStatus, error: 'x', message: 'refresh refused' });
      const { refreshToken } = (await request.json()) as { refreshToken: string };
      if (refreshToken !== valid.refresh) return json(401, { statusCode: 401, error: 'Unauthorized', message: 'refresh token reused' });
      generation += 1;
      valid.access = `access-${generation}`;
      valid.refresh = `refresh-${generation}`;
      return json(200, { accessToken: valid.access, refreshToken: valid.refresh });
    }
    if (url.pathname === '/api/auth/login') {
      return json(401, { statusCode: 401, error: 'Unauthorized', message: 'wrong login or password' });
    }
    if (request.headers.get('authorization') !== `Bearer ${valid.access}`) {
      return json(401, { statusCode: 401, error: 'Unauthorized', message: 'invalid or missing access token' });
    }
    if (url.pathname === '/api/playlists' && request.method === 'POST') {
      const body = (await request.json()) as { name: string };
      return json(201, { id: 1, name: body.name });
    }
    return json(200, { id: 1, username: 'ada' });
  };
  const expire = () => {
    valid.access = 'rotated-on-the-server';
  };
  return { fetch, log, valid, expire };
}

const BASE = 'http://gateway.test';
const pair = (n: number): TokenPair => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}` });

describe('createOctaveClient', () => {
  it('sends the access token', async () => {
    const gw = fakeGateway();
    const client = createOctaveClient({ baseUrl: BASE, fetch: gw.fetch, tokens: memoryTokenStore(pair(1)) });
    await expect(ok(client.api.GET('/api/me'))).resolves.toMatchObject({ username: 'ada' });
    expect(gw.log).toEqual(['GET /api/me']);
  });

  it('refreshes once on a 401, stores the rotated pair and sends the request again with its body', async () => {
    const gw = fakeGateway();
    const tokens = memoryTokenStore(pair(1));
    const client = createOctaveClient({ baseUrl: BASE, fetch: gw.fetch, tokens });
    gw.expire(); // the stored access token is refused from now on
    const created = await ok(client.api.POST('/api/playlists', { body: { name: 'Road trip' } }));
    expect(created).toMatchObject({ name: 'Road trip' });
    expect(tokens.get()).toEqual(pair(2));
    expect(gw.log).toEqual(['POST /api/playlists', 'POST /api/auth/refresh', 'POST /api/playlists']);
  });

  it('shares one refresh among requests refused at the same time (a second use of the refresh token would end the login)', async () => {
    const gw = fakeGateway();
    const tokens = memoryTokenStore(pair(1));
    const client = createOctaveClient({ baseUrl: BASE, fetch: gw.fetch, tokens });
    gw.expire();
    const results = await Promise.all([1, 2, 3].map(() => ok(client.api.GET('/api/me'))));
    expect(results).toHaveLength(3);
    expect(gw.log.filter((l) => l === 'POST /api/auth/refresh')).toHaveLength(1);
    expect(tokens.get()).toEqual(pair(2));
  });

  it('does not refresh again when another client of the store already did', async () => {
    const gw = fakeGateway();
    const tokens = memoryTokenStore(pair(1));
    const client = createOctaveClient({ baseUrl: BASE, fetch: gw.fetch, tokens });
    // Another tab refreshed between our request and its 401.
    await expect(client.refresh('access-1')).resolves.toBe('access-2');
    await expect(client.refresh('access-1')).resolves.toBe('access-2');
    expect(gw.log.filter((l) => l === 'POST /api/auth/refresh')).toHaveLength(1);
  });

  it('ends the session when the refresh token is refused, and answers the original 401', async () => {
    const gw = fakeGateway();
    const tokens = memoryTokenStore({ accessToken: 'stale', refreshToken: 'spent' });
    let ended = 0;
    const client = createOctaveClient({ baseUrl: BASE, fetch: gw.fetch, tokens, onSessionEnded: () => ended++ });
    const err = await ok(client.api.GET('/api/me')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OctaveApiError);
    expect((err as OctaveApiError).status).toBe(401);
    expect(tokens.get()).toBeNull();
    expect(ended).toBe(1);
  });

  it('keeps the tokens when the refresh fails for a passing reason (503)', async () => {
    const gw = fakeGateway({ refreshStatus: 503 });
    const tokens = memoryTokenStore({ accessToken: 'stale', refreshToken: 'refresh-1' });
    const client = createOctaveClient({ baseUrl: BASE, fetch: gw.fetch, tokens });
    await expect(ok(client.api.GET('/api/me'))).rejects.toMatchObject({ status: 503 });
    expect(tokens.get()).toEqual({ accessToken: 'stale', refreshToken: 'refresh-1' });
  });

  it('never refreshes for the auth routes themselves (a wrong password is just a 401)', async () => {
    const gw = fakeGateway();
    const client = createOctaveClient({ baseUrl: BASE, fetch: gw.fetch, tokens: memoryTokenStore(pair(1)) });
    await expect(client.login('ada', 'wrong')).rejects.toMatchObject({ status: 401, message: 'wrong login or password' });
    expect(gw.log).toEqual(['POST /api/auth/login']);
  });

  it('refreshes for uploads too, sending the form again', async () => {
    const gw = fakeGateway();
    const tokens = memoryTokenStore(pair(1));
    const client = createOctaveClient({ baseUrl: BASE, fetch: gw.fetch, tokens });
    gw.expire();
    await expect(client.setAvatar(new Blob(['png']))).resolves.toMatchObject({ username: 'ada' });
    expect(gw.log).toEqual(['PUT /api/me/avatar', 'POST /api/auth/refresh', 'PUT /api/me/avatar']);
  });
});
