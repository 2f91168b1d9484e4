// Registration, login, access tokens and refresh tokens, through the gateway's HTTP API
// against the real identity service. Profiles, avatars and user search:
// identity-profile.e2e-spec.ts; login throttling: identity-throttling.e2e-spec.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MeDto, SessionDto, TokenPairDto } from '@octave/contracts';
import { startSystem, type Api, type System } from './support/system.js';
import { decodeClaims, resign, tamperSignature, unsignedToken } from './support/tokens.js';
import {
  DEFAULT_PASSWORD,
  expectErrorBody,
  expectFreshMe,
  login,
  registerUser,
  uniqueUsername,
} from './support/users.js';

let system: System;
let api: Api;

beforeAll(async () => {
  // Throttling has its own file; here failed logins must never add up to a 429.
  system = await startSystem('identity', { env: { LOGIN_MAX_FAILURES: '1000' } });
  api = system.api;
}, 90_000);

afterAll(async () => {
  await system?.stop();
}, 30_000);

describe('POST /api/auth/register', () => {
  it('creates an account and answers 201 with the user and a token pair', async () => {
    const username = uniqueUsername('reg_');
    const email = `${username}@example.com`;
    const res = await api.post<SessionDto>('/api/auth/register', { username, email, password: DEFAULT_PASSWORD });

    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'refreshToken', 'user']);
    expectFreshMe(res.body.user, username, email);
    expect(typeof res.body.accessToken).toBe('string');
    expect(typeof res.body.refreshToken).toBe('string');
    expect(res.body.refreshToken).not.toBe(res.body.accessToken);

    const me = await api.get<MeDto>('/api/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body.user);
  });

  it('accepts digits, underscores and dots in usernames', async () => {
    const username = `a.b_${uniqueUsername('')}`.slice(0, 32);
    const res = await api.post('/api/auth/register', {
      username,
      email: `${username.replace(/\./g, '')}@example.com`,
      password: DEFAULT_PASSWORD,
    });
    expect(res.status).toBe(201);
    expect(res.body.user.username).toBe(username);
  });

  const valid = () => {
    const username = uniqueUsername('val_');
    return { username, email: `${username}@example.com`, password: DEFAULT_PASSWORD };
  };
  const invalidCases: [string, (body: Record<string, unknown>) => Record<string, unknown>][] = [
    ['a username with characters outside [a-z0-9_.]', (b) => ({ ...b, username: 'bad name!' })],
    ['a username with a dash', (b) => ({ ...b, username: 'bad-name' })],
    ['a username shorter than 3', (b) => ({ ...b, username: 'ab' })],
    ['a username longer than 32', (b) => ({ ...b, username: 'a'.repeat(33) })],
    ['a password shorter than 8', (b) => ({ ...b, password: 'short12' })],
    ['a password longer than 128', (b) => ({ ...b, password: 'p'.repeat(129) })],
    ['an invalid e-mail', (b) => ({ ...b, email: 'not-an-email' })],
    ['a missing password', ({ password: _password, ...b }) => b],
    ['a username that is not a string', (b) => ({ ...b, username: 12345 })],
    ['an unknown field', (b) => ({ ...b, isAdmin: true })],
  ];
  it.each(invalidCases)('rejects %s with 400', async (_name, mutate) => {
    const body = mutate(valid());
    const res = await api.post('/api/auth/register', body);
    expectErrorBody(res, 400);
    // Nothing was created: the same username is still free.
    if (typeof body.username === 'string' && /^[a-z0-9_.]{3,32}$/.test(body.username)) {
      const again = await api.post('/api/auth/register', { ...valid(), username: body.username });
      expect(again.status).toBe(201);
    }
  });

  it('rejects a non-JSON body with 400', async () => {
    const res = await api.request('POST', '/api/auth/register', {
      raw: '{"username": ',
      headers: { 'content-type': 'application/json' },
    });
    expectErrorBody(res, 400);
  });

  it('answers 409 for a username that is taken, whatever its case', async () => {
    const taken = await registerUser(api);
    const same = await api.post('/api/auth/register', {
      username: taken.username,
      email: `other_${taken.email}`,
      password: DEFAULT_PASSWORD,
    });
    expectErrorBody(same, 409);

    const upper = await api.post('/api/auth/register', {
      username: taken.username.toUpperCase(),
      email: `upper_${taken.email}`,
      password: DEFAULT_PASSWORD,
    });
    expectErrorBody(upper, 409);
  });

  it('answers 409 for an e-mail that is taken, whatever its case', async () => {
    const taken = await registerUser(api);
    const res = await api.post('/api/auth/register', {
      username: uniqueUsername(),
      email: taken.email.toUpperCase(),
      password: DEFAULT_PASSWORD,
    });
    expectErrorBody(res, 409);
  });
});

describe('POST /api/auth/login', () => {
  it('logs in by username and by e-mail (any case) with 200 and a new token pair', async () => {
    const u = await registerUser(api);
    for (const name of [u.username, u.email, u.email.toUpperCase()]) {
      const res = await api.post<SessionDto>('/api/auth/login', { login: name, password: u.password });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'refreshToken', 'user']);
      expect(res.body.user).toEqual(u.user);
      expect(res.body.refreshToken).not.toBe(u.refreshToken);
      const me = await api.get('/api/me', { token: res.body.accessToken });
      expect(me.status).toBe(200);
    }
  });

  it('answers the same 401 for a wrong password and for an unknown user', async () => {
    const u = await registerUser(api);
    const wrongPassword = await api.post('/api/auth/login', { login: u.username, password: 'wrong password!' });
    const unknownUser = await api.post('/api/auth/login', { login: uniqueUsername('nobody_'), password: u.password });
    expectErrorBody(wrongPassword, 401);
    expectErrorBody(unknownUser, 401);
    expect(unknownUser.body).toEqual(wrongPassword.body);
  });

  it('rejects a body without a password with 400', async () => {
    expectErrorBody(await api.post('/api/auth/login', { login: 'someone' }), 400);
  });
});

describe('access tokens', () => {
  let session: SessionDto;
  beforeAll(async () => {
    session = await registerUser(api);
  });

  it('lets a valid token in', async () => {
    expect((await api.get('/api/me', { token: session.accessToken })).status).toBe(200);
  });

  it('answers 401 without a token or with a malformed one', async () => {
    expectErrorBody(await api.get('/api/me'), 401);
    expectErrorBody(await api.get('/api/me', { token: 'not-a-jwt' }), 401);
    expectErrorBody(await api.get('/api/me', { headers: { authorization: `Basic ${session.accessToken}` } }), 401);
  });

  it('answers 401 when one character of the signature is changed', async () => {
    expectErrorBody(await api.get('/api/me', { token: tamperSignature(session.accessToken) }), 401);
  });

  it('answers 401 for an unsigned token (alg: none)', async () => {
    expectErrorBody(await api.get('/api/me', { token: unsignedToken(session.accessToken) }), 401);
  });

  it('answers 401 for an expired token signed with the right secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Control: the same claims re-signed with a future expiry are accepted, so the
    // only thing wrong with the expired one below is its expiry.
    const fresh = resign(session.accessToken, system.jwtSecret, { iat: now - 60, exp: now + 600 });
    expect((await api.get('/api/me', { token: fresh })).status).toBe(200);

    const expired = resign(session.accessToken, system.jwtSecret, { iat: now - 3600, exp: now - 60 });
    expectErrorBody(await api.get('/api/me', { token: expired }), 401);
  });

  it('answers 401 for a token signed with another secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = resign(session.accessToken, 'x'.repeat(64), { iat: now, exp: now + 600 });
    expectErrorBody(await api.get('/api/me', { token: forged }), 401);
  });

  it('carries the user id as subject', () => {
    expect(decodeClaims(session.accessToken).sub).toBe(String(session.user.id));
  });
});

describe('POST /api/auth/refresh', () => {
  it('rotates: the new pair works, a spent token is refused and revokes the whole login', async () => {
    const u = await registerUser(api);
    const first = await login(api, u.username, u.password);

    const rotated = await api.post<TokenPairDto>('/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body).sort()).toEqual(['accessToken', 'refreshToken']);
    expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
    expect((await api.get('/api/me', { token: rotated.body.accessToken })).status).toBe(200);

    // The spent token again: refused...
    expectErrorBody(await api.post('/api/auth/refresh', { refreshToken: first.refreshToken }), 401);
    // ...and the login it belonged to is revoked, so the newer token no longer works.
    expectErrorBody(await api.post('/api/auth/refresh', { refreshToken: rotated.body.refreshToken }), 401);

    // Other logins of the same user are untouched.
    const other = await api.post('/api/auth/refresh', { refreshToken: u.refreshToken });
    expect(other.status).toBe(200);
  });

  it('can be chained: each new refresh token works once', async () => {
    const u = await registerUser(api);
    let token = u.refreshToken;
    for (let i = 0; i < 3; i++) {
      const res = await api.post<TokenPairDto>('/api/auth/refresh', { refreshToken: token });
      expect(res.status).toBe(200);
      token = res.body.refreshToken;
    }
  });

  it('answers 401 for an unknown refresh token and 400 for a missing one', async () => {
    expectErrorBody(await api.post('/api/auth/refresh', { refreshToken: 'no-such-token-0123456789' }), 401);
    expectErrorBody(await api.post('/api/auth/refresh', {}), 400);
  });
});

describe('POST /api/auth/logout', () => {
  it('answers 204 and revokes that login only', async () => {
    const u = await registerUser(api);
    const second = await login(api, u.username, u.password);

    const res = await api.post('/api/auth/logout', { refreshToken: second.refreshToken }, { token: second.accessToken });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');

    expectErrorBody(await api.post('/api/auth/refresh', { refreshToken: second.refreshToken }), 401);
    expect((await api.post('/api/auth/refresh', { refreshToken: u.refreshToken })).status).toBe(200);
  });

  it('needs an access token', async () => {
    const u = await registerUser(api);
    expectErrorBody(await api.post('/api/auth/logout', { refreshToken: u.refreshToken }), 401);
    expect((await api.post('/api/auth/refresh', { refreshToken: u.refreshToken })).status).toBe(200);
  });
});
