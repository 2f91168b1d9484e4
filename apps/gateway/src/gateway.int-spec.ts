import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BusHeaders, type ErrorEnvelope, type MeDto, SERVICES, type UserDto } from '@octave/contracts';
import { isStaged, ObjectStore, startS3Server, type S3ServerHandle } from '@octave/platform/storage';
import { RealtimeTestClient, startNatsServer, type NatsServerHandle } from '@octave/platform/testing';
import jwt from 'jsonwebtoken';
import { loadGatewayConfig } from './config.js';
import { DRAIN_LIMIT_BYTES } from './core/unread-body.js';
import { createGateway } from './gateway.js';
import { RealtimeGateway, userRoom } from './realtime/realtime.gateway.js';
import { NATS_CONNECTION } from './tokens.js';

const SECRET = 'gateway-test-secret-that-is-long-enough-0123456789';
const BUCKET = 'octave-test';
const RPC_TIMEOUT_MS = 500;
const ADA = { id: 1, username: 'ada' };

let nats: NatsServerHandle;
let s3: S3ServerHandle;
let s3Dir: string;
let app: NestFastifyApplication;
let base: string;
let nc: NatsConnection;
let store: ObjectStore;

beforeAll(async () => {
  [nats, s3Dir] = await Promise.all([startNatsServer(), mkdtemp(path.join(tmpdir(), 'octave-gw-s3-'))]);
  s3 = await startS3Server({ directory: s3Dir, bucket: BUCKET });
  const config = loadGatewayConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NATS_URL: nats.url,
    RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS),
    JWT_SECRET: SECRET,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: s3.accessKey,
    S3_SECRET_KEY: s3.secretKey,
    S3_BUCKET: BUCKET,
  });
  app = await createGateway(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = await app.getUrl();
  nc = await connect({ servers: nats.url });
  store = new ObjectStore({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: BUCKET });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await app?.close();
  await Promise.allSettled([nats?.dispose(), s3?.close()]);
  if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
});

// ---- helpers ----

function accessToken(
  claims: Record<string, unknown> = {},
  opts: { secret?: string; expiresIn?: number } = {},
): string {
  return jwt.sign({ sub: String(ADA.id), username: ADA.username, sid: 'sid-1', ...claims }, opts.secret ?? SECRET, {
    algorithm: 'HS256',
    issuer: 'octave',
    audience: 'octave-api',
    expiresIn: opts.expiresIn ?? 900,
  });
}

interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

async function api<T = unknown>(
  method: string,
  url: string,
  opts: { token?: string; json?: unknown; body?: RequestInit['body']; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(base + url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if (res.headers.get('content-type')?.includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T };
}

function expectErrorBody(res: ApiResponse, status: number, error: string, message?: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body as object).sort()).toEqual(['error', 'message', 'statusCode']);
  const body = res.body as { statusCode: number; error: string; message: unknown };
  expect(body.statusCode).toBe(status);
  expect(body.error).toBe(error);
  if (typeof message === 'string') expect(body.message).toBe(message);
  if (message instanceof RegExp) expect(String(body.message)).toMatch(message);
}

type Reply = { response: unknown } | { err: ErrorEnvelope } | undefined;

/**
 * A fake service on the real bus, speaking the NestJS NATS packet format. A handler that
 * returns `undefined` never answers.
 */
async function fakeService(subject: string, handler: (data: never, msg: Msg) => Reply | Promise<Reply>): Promise<Subscription> {
  const sub = nc.subscribe(subject, {
    callback: (_err, msg) => {
      const packet = msg.json<{ id: string; data: never }>();
      void Promise.resolve(handler(packet.data, msg)).then((reply) => {
        if (reply) msg.respond(JSON.stringify({ id: packet.id, ...reply, isDisposed: true }));
      });
    },
  });
  await nc.flush();
  return sub;
}

/** Stops fake services, making sure the server forgot them before the next request. */
async function release(...subs: Subscription[]): Promise<void> {
  for (const sub of subs) sub.unsubscribe();
  await nc.flush();
}

function user(id: number, username = `user${id}`): UserDto {
  return {
    id,
    username,
    avatarUrl: null,
    bio: null,
    friendsCount: 0,
    followingCount: 0,
    followersCount: 0,
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}

const me = (): MeDto => ({ ...user(ADA.id, ADA.username), email: 'ada@example.com' });

// ---- tests ----

describe('error bodies', () => {
  it('answers an unknown route with the standard 404 body and a request id', async () => {
    const res = await api('GET', '/api/no-such-route');
    expectErrorBody(res, 404, 'Not Found', 'Cannot GET /api/no-such-route');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Outside /api the web client answers its own paths with its page; a missing file is still this 404.
    expectErrorBody(await api('GET', '/outside-the-prefix.txt'), 404, 'Not Found', 'Cannot GET /outside-the-prefix.txt');
  });

  it('echoes a sane x-request-id and replaces an insane one', async () => {
    const echoed = await api('GET', '/api/health/live', { headers: { 'x-request-id': 'client-req.42' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-req.42');
    const replaced = await api('GET', '/api/health/live', { headers: { 'x-request-id': 'x'.repeat(300) } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects unknown fields and lists every validation problem', async () => {
    const res = await api('POST', '/api/auth/register', {
      json: { username: 'ab', email: 'not-an-email', password: 'longenough', isAdmin: true },
    });
    expectErrorBody(res, 400, 'Bad Request');
    const messages = (res.body as { message: string[] }).message;
    expect(messages).toEqual(
      expect.arrayContaining([
        'property isAdmin should not exist',
        'username must be longer than or equal to 3 characters',
        'email must be an email',
      ]),
    );
  });

  it('rejects unknown query parameters and out-of-range paging', async () => {
    const token = accessToken();
    expectErrorBody(await api('GET', '/api/users?sort=desc', { token }), 400, 'Bad Request');
    expectErrorBody(await api('GET', '/api/users?limit=101', { token }), 400, 'Bad Request');
    expectErrorBody(await api('GET', '/api/users?limit=abc', { token }), 400, 'Bad Request');
    expectErrorBody(await api('GET', `/api/users?cursor=${'c'.repeat(501)}`, { token }), 400, 'Bad Request');
  });

  it.each(['abc', '0', '-1', '1.5', '99999999999', '2147483648'])('answers 400 for the path id %s', async (id) => {
    const res = await api('GET', `/api/users/${id}`, { token: accessToken() });
    expectErrorBody(res, 400, 'Bad Request', /^id must be a positive integer/);
  });

  it('passes the largest int32 id on to the service', async () => {
    const sub = await fakeService('identity.user.get', (data: { id: number }) => ({ response: user(data.id) }));
    try {
      const res = await api<UserDto>('GET', '/api/users/2147483647', { token: accessToken() });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(2147483647);
    } finally {
      await release(sub);
    }
  });

  it('answers a body that is not valid JSON with 400 and a body that is not JSON with 415', async () => {
    const bad = await api('POST', '/api/auth/login', { body: '{"login":', headers: { 'content-type': 'application/json' } });
    expectErrorBody(bad, 400, 'Bad Request', 'request body is not valid JSON');
    const xml = await api('POST', '/api/auth/login', { body: '<login/>', headers: { 'content-type': 'application/xml' } });
    expectErrorBody(xml, 415, 'Unsupported Media Type');
    const text = await api('POST', '/api/auth/login', { body: 'ada', headers: { 'content-type': 'text/plain' } });
    expectErrorBody(text, 415, 'Unsupported Media Type');
    const form = await api('POST', '/api/auth/login', { body: 'login=ada', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectErrorBody(form, 415, 'Unsupported Media Type');
    const array = await api('POST', '/api/auth/login', { json: [{ login: 'ada', password: 'pw' }] });
    expectErrorBody(array, 400, 'Bad Request');
    const missing = await api('POST', '/api/auth/login');
    expectErrorBody(missing, 400, 'Bad Request');
  });

  it('answers a 5 MB JSON body with 413', async () => {
    const res = await api('POST', '/api/auth/login', { json: { login: 'ada', password: 'x'.repeat(5 * 1024 * 1024) } });
    expectErrorBody(res, 413, 'Payload Too Large', 'request body is larger than 1048576 bytes');
  });
});

/** A raw HTTP/1.1 connection: what a client still sending its body sees of the answers. */
class RawConnection {
  private readonly socket: Socket;
  private buffered = Buffer.alloc(0);
  private waiting?: () => void;
  closed = false;

  constructor(port: number) {
    this.socket = createConnection({ host: '127.0.0.1', port });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.waiting?.();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  /** The next whole response: its status and lower-cased headers. */
  async response(): Promise<{ status: number; headers: Record<string, string> }> {
    for (;;) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(
          lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
        );
        const length = Number(headers['content-length'] ?? 0);
        if (this.buffered.length >= end + 4 + length) {
          this.buffered = this.buffered.subarray(end + 4 + length);
          return { status: Number(statusLine!.split(' ')[1]), headers };
        }
      }
      if (this.closed) throw new Error('the connection closed before a whole response');
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('bodies refused before they are read', () => {
  const port = (): number => Number(new URL(base).port);

  it.each([
    ['an upload without a token', 'PUT /api/me/avatar', 'multipart/form-data; boundary=x', 401, 256 * 1024],
    ['a JSON body over the body limit', 'POST /api/auth/login', 'application/json', 413, 2 * 1024 * 1024],
  ])('answers %s and keeps the connection while the client sends the rest', async (_name, requestLine, type, status, length) => {
    const conn = new RawConnection(port());
    try {
      await conn.write(`${requestLine} HTTP/1.1\r\nhost: x\r\ncontent-type: ${type}\r\ncontent-length: ${length}\r\n\r\n`);
      await conn.write(Buffer.alloc(1024, 'a'));
      const refused = await conn.response();
      expect(refused.status).toBe(status);
      expect(refused.headers.connection).not.toBe('close');
      await conn.write(Buffer.alloc(length - 1024, 'a'));
      await conn.write('GET /api/health/live HTTP/1.1\r\nhost: x\r\n\r\n');
      expect((await conn.response()).status).toBe(200);
    } finally {
      conn.close();
    }
  });

  it(`closes the connection after refusing a body declared larger than ${DRAIN_LIMIT_BYTES} bytes`, async () => {
    const conn = new RawConnection(port());
    try {
      await conn.write(`POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${DRAIN_LIMIT_BYTES + 1}\r\n\r\n`);
      const refused = await conn.response();
      expect(refused.status).toBe(413);
      expect(refused.headers.connection).toBe('close');
    } finally {
      conn.close();
    }
  });
});

describe('authentication', () => {
  const noneToken = (): string => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: '1', username: 'ada', sid: 's', iss: 'octave', aud: 'octave-api', iat: now, exp: now + 900 })}.`;
  };
  const tampered = (): string => {
    const [h, p, s] = accessToken().split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    payload.sub = '2';
    return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  };
  const cases: [string, () => string | undefined][] = [
    ['missing', () => undefined],
    ['garbage', () => 'not-a-jwt'],
    ['tampered', tampered],
    ['alg none', noneToken],
    ['expired', () => accessToken({ iat: Math.floor(Date.now() / 1000) - 3600 }, { expiresIn: -60 })],
    ['signed with another secret', () => accessToken({}, { secret: 'another-secret-that-is-long-enough-0123456789' })],
  ];

  it.each(cases)('answers a %s token with the standard 401 body', async (_name, make) => {
    const res = await api('GET', '/api/me', { token: make() });
    expectErrorBody(res, 401, 'Unauthorized', 'invalid or missing access token');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('lets a valid token through and hands the actor to the service', async () => {
    let seen: unknown;
    const sub = await fakeService('identity.me.get', (data: { actor: unknown }) => {
      seen = data.actor;
      return { response: me() };
    });
    try {
      const res = await api<MeDto>('GET', '/api/me', { token: accessToken() });
      expect(res.status).toBe(200);
      expect(res.body.email).toBe('ada@example.com');
      expect(seen).toEqual(ADA);
    } finally {
      await release(sub);
    }
  });
});

describe('RPC error mapping', () => {
  it('maps a service error envelope to the error body', async () => {
    const sub = await fakeService('identity.user.get', (data: { id: number }) => ({
      err: { code: 'USER_NOT_FOUND', status: 404, message: `user ${data.id} not found` },
    }));
    try {
      expectErrorBody(await api('GET', '/api/users/5', { token: accessToken() }), 404, 'Not Found', 'user 5 not found');
    } finally {
      await release(sub);
    }
  });

  it('answers 504 within the RPC timeout when the service never answers', async () => {
    const sub = await fakeService('identity.user.get', () => undefined);
    try {
      const started = Date.now();
      const res = await api('GET', '/api/users/7', { token: accessToken() });
      const elapsed = Date.now() - started;
      expectErrorBody(res, 504, 'Gateway Timeout', 'identity service did not answer in time');
      expect(elapsed).toBeGreaterThanOrEqual(RPC_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(RPC_TIMEOUT_MS + 1500);
    } finally {
      await release(sub);
    }
  });

  it('answers 503 at once when no service listens', async () => {
    const started = Date.now();
    const res = await api('GET', '/api/users/8', { token: accessToken() });
    expectErrorBody(res, 503, 'Service Unavailable', 'identity service is unavailable');
    expect(Date.now() - started).toBeLessThan(RPC_TIMEOUT_MS);
  });

  it('maps a 429 to Retry-After and passes the client address and the request id', async () => {
    let request: { login: string; client: { ip: string; userAgent?: string } } | undefined;
    let correlationId: string | undefined;
    const sub = await fakeService('identity.auth.login', (data: typeof request, msg) => {
      request = data;
      correlationId = msg.headers?.get(BusHeaders.correlationId);
      return { err: { code: 'LOGIN_THROTTLED', status: 429, message: 'too many failed logins', retryAfterSeconds: 42 } };
    });
    try {
      const res = await api('POST', '/api/auth/login', {
        json: { login: 'ada', password: 'wrong-password' },
        headers: { 'x-request-id': 'login-attempt-1', 'user-agent': 'octave-test' },
      });
      expectErrorBody(res, 429, 'Too Many Requests', 'too many failed logins');
      expect(res.headers.get('retry-after')).toBe('42');
      expect(request).toEqual({ login: 'ada', password: 'wrong-password', client: { ip: '127.0.0.1', userAgent: 'octave-test' } });
      expect(correlationId).toBe('login-attempt-1');
    } finally {
      await release(sub);
    }
  });

  it('answers register with 201, login and refresh with 200 and logout with 204', async () => {
    const session = { user: me(), accessToken: 'a', refreshToken: 'r' };
    const subs = await Promise.all([
      fakeService('identity.auth.register', () => ({ response: session })),
      fakeService('identity.auth.login', () => ({ response: session })),
      fakeService('identity.auth.refresh', () => ({ response: { accessToken: 'a2', refreshToken: 'r2' } })),
      fakeService('identity.auth.logout', () => ({ response: { ok: true } })),
    ]);
    try {
      const registered = await api('POST', '/api/auth/register', {
        json: { username: 'ada', email: 'ada@example.com', password: 'correct horse' },
      });
      expect(registered.status).toBe(201);
      expect(registered.body).toEqual(session);
      expect((await api('POST', '/api/auth/login', { json: { login: 'ada', password: 'correct horse' } })).status).toBe(200);
      const refreshed = await api('POST', '/api/auth/refresh', { json: { refreshToken: 'r' } });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toEqual({ accessToken: 'a2', refreshToken: 'r2' });
      const loggedOut = await api('POST', '/api/auth/logout', { json: { refreshToken: 'r2' }, token: accessToken() });
      expect(loggedOut.status).toBe(204);
      expect(loggedOut.body).toBe('');
    } finally {
      await release(...subs);
    }
  });

  it('sends only the given profile fields and the paging of a search', async () => {
    let update: unknown;
    let search: unknown;
    const subs = await Promise.all([
      fakeService('identity.me.update', (data) => {
        update = data;
        return { response: me() };
      }),
      fakeService('identity.user.search', (data) => {
        search = data;
        return { response: { items: [user(2, 'adam')], nextCursor: null } };
      }),
    ]);
    try {
      expect((await api('PATCH', '/api/me', { token: accessToken(), json: { bio: null } })).status).toBe(200);
      expect(update).toEqual({ actor: ADA, bio: null });
      expectErrorBody(await api('PATCH', '/api/me', { token: accessToken(), json: { username: null } }), 400, 'Bad Request');
      const page = await api('GET', '/api/users?search=ad&limit=5', { token: accessToken() });
      expect(page.status).toBe(200);
      expect(page.body).toEqual({ items: [user(2, 'adam')], nextCursor: null });
      expect(search).toEqual({ search: 'ad', limit: 5 });
      await api('GET', '/api/users', { token: accessToken() });
      expect(search).toEqual({ limit: 20 });
    } finally {
      await release(...subs);
    }
  });
});

describe('avatar upload', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

  function form(files: [string, Buffer][], fields: [string, string][] = []): FormData {
    const fd = new FormData();
    for (const [name, value] of fields) fd.append(name, value);
    for (const [name, bytes] of files) fd.append(name, new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'a.png');
    return fd;
  }

  it("stages the file under the uploader's id, typed by its content and tagged as staged, and hands its key to identity", async () => {
    let staged: { sizeBytes: number } | null = null;
    let stagedNow = false;
    let key = '';
    const sub = await fakeService('identity.me.avatar.set', async (data: { actor: unknown; stagingKey: string }) => {
      key = data.stagingKey;
      staged = await store.stat(data.stagingKey);
      stagedNow = await isStaged(store, data.stagingKey);
      return { response: { ...me(), avatarUrl: 'http://cdn/avatar.png' } };
    });
    try {
      const res = await api<MeDto>('PUT', '/api/me/avatar', { token: accessToken(), body: form([['file', png]]) });
      expect(res.status).toBe(200);
      expect(res.body.avatarUrl).toBe('http://cdn/avatar.png');
      expect(key).toMatch(new RegExp(`^uploads/${ADA.id}/[0-9a-f-]{36}$`));
      expect(staged).toMatchObject({ sizeBytes: png.length, contentType: 'image/png' });
      expect(stagedNow).toBe(true);
    } finally {
      await release(sub);
    }
  });

  it('removes the staged file when identity refuses it', async () => {
    let key = '';
    const sub = await fakeService('identity.me.avatar.set', (data: { stagingKey: string }) => {
      key = data.stagingKey;
      return { err: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, message: 'avatar must be a PNG, JPEG or WebP image' } };
    });
    try {
      const res = await api('PUT', '/api/me/avatar', { token: accessToken(), body: form([['file', Buffer.from('not an image')]]) });
      expectErrorBody(res, 415, 'Unsupported Media Type', 'avatar must be a PNG, JPEG or WebP image');
      expect(key).not.toBe('');
      expect(await store.stat(key)).toBeNull();
    } finally {
      await release(sub);
    }
  });

  it('never removes an upload the service adopted, even when its answer is an error', async () => {
    let key = '';
    const sub = await fakeService('identity.me.avatar.set', async (data: { stagingKey: string }) => {
      key = data.stagingKey;
      await store.removeTags(key); // adopted, then the service failed after its commit
      return { err: { code: 'INTERNAL_ERROR', status: 500, message: 'internal error' } };
    });
    try {
      const res = await api('PUT', '/api/me/avatar', { token: accessToken(), body: form([['file', png]]) });
      expect(res.status).toBe(500);
      expect(await store.stat(key)).not.toBeNull();
    } finally {
      await release(sub);
    }
  });

  it('leaves the upload, still staged, to the lifecycle rule when the service does not answer in time', async () => {
    let key = '';
    const sub = await fakeService('identity.me.avatar.set', (data: { stagingKey: string }) => {
      key = data.stagingKey;
      return undefined; // it may yet adopt it
    });
    try {
      const res = await api('PUT', '/api/me/avatar', { token: accessToken(), body: form([['file', png]]) });
      expect(res.status).toBe(504);
      expect(await isStaged(store, key)).toBe(true);
    } finally {
      await release(sub);
    }
  });

  it('answers a file over MAX_AVATAR_BYTES with 413 without calling identity', async () => {
    let called = false;
    const sub = await fakeService('identity.me.avatar.set', () => {
      called = true;
      return { response: me() };
    });
    try {
      const big = Buffer.alloc(5 * 1024 * 1024 + 1, 1);
      const res = await api('PUT', '/api/me/avatar', { token: accessToken(), body: form([['file', big]]) });
      expectErrorBody(res, 413, 'Payload Too Large');
      expect(called).toBe(false);
    } finally {
      await release(sub);
    }
  });

  it.each<[string, () => { body: RequestInit['body']; headers?: Record<string, string> }, RegExp]>([
    ['not multipart', () => ({ body: JSON.stringify({ file: 'x' }), headers: { 'content-type': 'application/json' } }), /multipart/],
    ['without the file', () => ({ body: form([]) }), /missing file field "file"/],
    ['with the file under another name', () => ({ body: form([['avatar', png]]) }), /unexpected file field "avatar"/],
    ['with two files', () => ({ body: form([['file', png], ['file', png]]) }), /only one file/],
    ['with an extra field', () => ({ body: form([['file', png]], [['note', 'hi']]) }), /unexpected field "note"/],
  ])('answers a request %s with 400', async (_name, make, message) => {
    const { body, headers } = make();
    const res = await api('PUT', '/api/me/avatar', { token: accessToken(), body, headers });
    expectErrorBody(res, 400, 'Bad Request', message);
  });
});

describe('health', () => {
  const pingAll = (status: (service: string) => 'up' | 'down') =>
    Promise.all(
      SERVICES.map((service) =>
        fakeService(`${service}.health.ping`, () => ({
          response: { service, status: status(service), checks: { database: { status: status(service) } } },
        })),
      ),
    );

  it('is live', async () => {
    const res = await api('GET', '/api/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('is not ready while a service does not answer its ping, and ready once every one does', async () => {
    const down = await api<{ status: string; info: object; error: Record<string, { status: string }> }>('GET', '/api/health/ready');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('error');
    expect(down.body.info).toHaveProperty('nats.status', 'up');
    expect(down.body.error).toHaveProperty('identity.status', 'down');

    const subs = await pingAll(() => 'up');
    try {
      const up = await api<{ status: string; details: object; error: object }>('GET', '/api/health/ready');
      expect(up.status).toBe(200);
      expect(up.body.status).toBe('ok');
      expect(up.body.error).toEqual({});
      for (const service of SERVICES) expect(up.body.details).toHaveProperty(`${service}.status`, 'up');
    } finally {
      await release(...subs);
    }
  });

  it('is not ready when a service reports itself down', async () => {
    const subs = await pingAll((service) => (service === 'identity' ? 'down' : 'up'));
    try {
      const res = await api<{ error: object }>('GET', '/api/health/ready');
      expect(res.status).toBe(503);
      expect(Object.keys(res.body.error)).toEqual(['identity']);
      expect(res.body.error).toHaveProperty('identity.checks.database.status', 'down');
    } finally {
      await release(...subs);
    }
  });
});

describe('metrics and docs', () => {
  it('serves Prometheus metrics outside /api, with route templates as labels', async () => {
    await api('GET', '/api/users/abc', { token: accessToken() });
    const res = await api<string>('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.body).toContain('http_request_duration_seconds_bucket');
    expect(res.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/users\/:id",status="400"\} \d+/);
    expect(res.body).toMatch(/errors_total\{kind="http_5xx"\} [1-9]/);
    expectErrorBody(await api('GET', '/api/metrics'), 404, 'Not Found');
  });

  it('publishes an OpenAPI 3 document of every route', async () => {
    const res = await api<{
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    }>('GET', '/api/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const { paths } = res.body;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/api/auth/register', '/api/auth/login', '/api/me', '/api/me/avatar', '/api/users', '/api/users/{id}', '/api/health/ready']),
    );
    expect(paths['/api/auth/register'].post.responses).toHaveProperty('201');
    expect(paths['/api/auth/register'].post.responses).toHaveProperty('409');
    expect(paths['/api/users/{id}'].get.responses).toHaveProperty('404');
    expect(paths['/api/me'].get.security).toBeDefined();
    expect(paths).not.toHaveProperty('/metrics');
    expect(res.body.components.securitySchemes).toHaveProperty('bearer');
    expect(res.body.components.schemas).toHaveProperty('ErrorBody');
  });

  it('serves Swagger UI', async () => {
    const page = await api<string>('GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui-bundle.js');
    const bundle = await fetch(`${base}/api/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expectErrorBody(await api('GET', '/api/docs/package.json'), 404, 'Not Found');
  });
});

describe('realtime', () => {
  it('accepts a socket with a valid token and counts it', async () => {
    const client = await RealtimeTestClient.connect(base, { token: accessToken() });
    try {
      expect(client.socket.connected).toBe(true);
      const metrics = await api<string>('GET', '/metrics');
      expect(metrics.body).toMatch(/socketio_connections 1/);
      const inRoom = await app.get(RealtimeGateway).server.in(userRoom(ADA.id)).fetchSockets();
      expect(inRoom.map((s) => s.data)).toEqual([{ actor: ADA }]);
    } finally {
      client.close();
    }
  });

  it.each<[string, Record<string, unknown>]>([
    ['no', {}],
    ['a bad', { token: 'nope' }],
    ['an expired', { token: accessToken({ iat: Math.floor(Date.now() / 1000) - 3600 }, { expiresIn: -60 }) }],
  ])('refuses a socket with %s token', async (_name, auth) => {
    await expect(RealtimeTestClient.connect(base, { auth })).rejects.toMatchObject({ message: 'unauthorized' });
  });
});

describe('configuration', () => {
  it('fails fast with a helpful message when NATS is not there', async () => {
    const config = loadGatewayConfig({ LOG_LEVEL: 'silent', NATS_URL: 'nats://127.0.0.1:1', S3_ENDPOINT: s3.endpoint });
    await expect(createGateway(config)).rejects.toThrow(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
  });

  it('answers CORS preflights and Socket.IO handshakes for the configured origins only, and drains NATS on close', async () => {
    const config = loadGatewayConfig({
      LOG_LEVEL: 'silent',
      NATS_URL: nats.url,
      JWT_SECRET: SECRET,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: BUCKET,
      CORS_ORIGINS: 'https://app.example',
    });
    const other = await createGateway(config);
    const otherNc = other.get<NatsConnection>(NATS_CONNECTION);
    try {
      await other.listen({ port: 0, host: '127.0.0.1' });
      const url = await other.getUrl();
      const preflight = (origin: string) =>
        fetch(`${url}/api/me`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
        });
      expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
      const handshake = await fetch(`${url}/realtime/?EIO=4&transport=polling`, { headers: { origin: 'https://app.example' } });
      expect(handshake.headers.get('access-control-allow-origin')).toBe('https://app.example');
      await handshake.text();
    } finally {
      await other.close();
    }
    expect(otherNc.isClosed()).toBe(true);
  });
});

// Last: it stops the object store.
describe('object store outage', () => {
  it('answers an upload with 503 when the object store is down', async () => {
    await s3.close();
    const fd = new FormData();
    fd.append('file', new Blob([new Uint8Array([1, 2, 3])]), 'a.png');
    const res = await api('PUT', '/api/me/avatar', { token: accessToken(), body: fd });
    expectErrorBody(res, 503, 'Service Unavailable', 'object store is unavailable');
  });
});
