// 10,000 fuzzed requests across every route of the API (random ids, bodies, headers,
// content types, multipart): no 5xx, no hung request, and every process still alive.
// The seed is printed; FUZZ_SEED=<seed> replays a run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSystem, SYSTEM_APPS, type System } from '../e2e/src/support/system.js';
import { tamperSignature } from '../e2e/src/support/tokens.js';
import { makeWorld, MixedLoad, type World } from './support/harness.js';

const REQUESTS = 10_000;
const CONCURRENCY = 20;
/** A fuzzed request must be answered within this. */
const ANSWER_MS = 10_000;

/** Every route of API.md; `:id`-like segments are fuzzed. */
const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['POST', '/api/auth/register'],
  ['POST', '/api/auth/login'],
  ['POST', '/api/auth/refresh'],
  ['POST', '/api/auth/logout'],
  ['GET', '/api/me'],
  ['PATCH', '/api/me'],
  ['PUT', '/api/me/avatar'],
  ['DELETE', '/api/me/avatar'],
  ['DELETE', '/api/me'],
  ['GET', '/api/users/:id'],
  ['GET', '/api/users'],
  ['POST', '/api/friends/requests'],
  ['GET', '/api/friends/requests'],
  ['POST', '/api/friends/requests/:id/accept'],
  ['POST', '/api/friends/requests/:id/decline'],
  ['DELETE', '/api/friends/requests/:id'],
  ['GET', '/api/users/:id/friends'],
  ['DELETE', '/api/friends/:id'],
  ['PUT', '/api/users/:id/follow'],
  ['DELETE', '/api/users/:id/follow'],
  ['GET', '/api/users/:id/following'],
  ['GET', '/api/users/:id/followers'],
  ['PUT', '/api/users/:id/block'],
  ['DELETE', '/api/users/:id/block'],
  ['GET', '/api/genres'],
  ['POST', '/api/genres'],
  ['POST', '/api/songs'],
  ['GET', '/api/songs'],
  ['GET', '/api/songs/:id'],
  ['GET', '/api/songs/:id/stream'],
  ['PATCH', '/api/songs/:id'],
  ['DELETE', '/api/songs/:id'],
  ['POST', '/api/playlists'],
  ['GET', '/api/playlists/:id'],
  ['GET', '/api/users/:id/playlists'],
  ['PATCH', '/api/playlists/:id'],
  ['DELETE', '/api/playlists/:id'],
  ['PUT', '/api/playlists/:id/cover'],
  ['POST', '/api/playlists/:id/songs'],
  ['PATCH', '/api/playlists/:id/songs/:id'],
  ['DELETE', '/api/playlists/:id/songs/:id'],
  ['POST', '/api/stages'],
  ['GET', '/api/stages'],
  ['GET', '/api/stages/:id'],
  ['PUT', '/api/stages/:id/cover'],
  ['PATCH', '/api/stages/:id'],
  ['DELETE', '/api/stages/:id'],
  ['POST', '/api/stages/:id/join'],
  ['POST', '/api/stages/:id/leave'],
  ['POST', '/api/stages/:id/kick'],
  ['POST', '/api/stages/:id/playlists'],
  ['DELETE', '/api/stages/:id/playlists/:id'],
  ['GET', '/api/stages/:id/playback'],
  ['POST', '/api/stages/:id/playback'],
  ['POST', '/api/stages/:id/chat'],
  ['GET', '/api/stages/:id/chat'],
  ['GET', '/api/health/live'],
  ['GET', '/api/health/ready'],
  ['GET', '/api/docs-json'],
  ['GET', '/metrics'],
];

const MULTIPART_ROUTES = new Set(['/api/me/avatar', '/api/songs', '/api/playlists/:id/cover', '/api/stages/:id/cover']);

/** The fields the API knows, so that random bodies often get past "unknown field". */
const FIELDS = [
  'username', 'email', 'password', 'login', 'refreshToken', 'bio', 'userId', 'songId', 'position', 'name',
  'description', 'genreIds', 'playlistIds', 'playlistId', 'message', 'action', 'positionMs', 'title', 'artist',
];

/** mulberry32: small, seeded, good enough to pick things. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Fuzzer {
  constructor(
    private readonly random: () => number,
    private readonly ids: number[],
  ) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  string(): string {
    return this.pick([
      () => '',
      () => ' ',
      () => 'a'.repeat(1 + this.int(40)),
      () => 'x'.repeat(100_000),
      () => '\u0000\u0001\u001f',
      () => '😀🎵'.repeat(1 + this.int(300)),
      () => "' OR 1=1 --",
      () => '../../etc/passwd',
      () => '%00%ff%',
      () => '\ud800',
      () => `u_${this.int(1e9)}`,
      () => `${this.int(1e9)}@example.com`,
      () => 'play',
      () => String(this.pick(this.ids)),
      () => '1e309',
      () => 'NaN',
    ])();
  }

  number(): number {
    return this.pick([0, -1, 1, 2, 3, 1.5, -0, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, this.pick(this.ids), this.int(1000)]);
  }

  value(depth = 0): unknown {
    const kinds = depth > 3 ? 5 : 8;
    switch (this.int(kinds)) {
      case 0:
        return this.string();
      case 1:
        return this.number();
      case 2:
        return null;
      case 3:
        return this.chance(0.5);
      case 4:
        return this.pick(this.ids);
      case 5:
        return Array.from({ length: this.int(5) }, () => this.value(depth + 1));
      case 6:
        return this.object(depth + 1);
      default:
        return this.deep(1 + this.int(2_000));
    }
  }

  deep(depth: number): unknown {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = this.chance(0.5) ? [v] : { a: v };
    return v;
  }

  object(depth = 0): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const n = this.int(5);
    for (let i = 0; i < n; i++) {
      const key = this.chance(0.85) ? this.pick(FIELDS) : this.pick(['__proto__', 'constructor', 'extra', '', 'id', this.string().slice(0, 50)]);
      out[key] = this.value(depth);
    }
    return out;
  }

  pathId(): string {
    return this.pick([
      () => String(this.pick(this.ids)),
      () => String(this.int(50)),
      () => '0',
      () => '-1',
      () => '99999999999999999999999',
      () => String(2 ** 31),
      () => String(2 ** 63),
      () => 'abc',
      () => '1.5',
      () => '1e3',
      () => '0x10',
      () => '%20',
      () => '%00',
      () => encodeURIComponent("1' OR '1'='1"),
      () => 'null',
      () => 'a'.repeat(3_000),
    ])();
  }

  query(): string {
    const params = new URLSearchParams();
    const n = this.int(4);
    for (let i = 0; i < n; i++) {
      const key = this.pick(['limit', 'cursor', 'search', 'direction', 'genreId', 'uploaderId', 'hostId', 'friends', 'before', 'x']);
      const value = this.pick([() => this.string().slice(0, 2_000), () => String(this.number()), () => this.pathId(), () => 'incoming', () => 'true']);
      params.append(key, value());
    }
    const s = params.toString();
    return s ? `?${s}` : '';
  }
}

let system: System;
let world: World;
let tokens: string[];
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

beforeAll(async () => {
  // The default RPC timeout: nothing is killed here, and a busy service (argon2 on two
  // cores under 20 concurrent requests) must not turn into a 504.
  system = await startSystem('fault_fuzz');
  world = await makeWorld(system.api, 4);
  // Something to point at: a playlist, a stage, a friend request.
  await MixedLoad.prepare(system.api, world);
  await system.api.post('/api/friends/requests', { userId: world.users[1].user.id }, { token: world.users[2].accessToken });
  tokens = world.users.map((u) => u.accessToken);
}, 120_000);

afterAll(async () => {
  await system?.stop();
}, 60_000);

describe(`${REQUESTS} fuzzed requests over every route`, () => {
  it(`answers none with a 5xx, none hangs, and every process stays up (FUZZ_SEED=${seed})`, async () => {
    const fuzz = new Fuzzer(prng(seed), [1, 2, 3, 4, 5]);
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let closedEarly = 0;

    const one = async () => {
      const [method, template] = fuzz.pick(ROUTES);
      const path = template.replace(/:id/g, () => fuzz.pathId()) + (fuzz.chance(0.4) ? fuzz.query() : '');
      const headers: Record<string, string> = {};
      const token = fuzz.pick(tokens);
      // Half with a valid token, a quarter with a bad one, a quarter without.
      const auth = fuzz.int(4);
      if (auth < 2) headers.authorization = `Bearer ${token}`;
      else if (auth === 2) {
        headers.authorization = fuzz.pick([
          'Bearer',
          'Bearer ',
          'Bearer garbage',
          `Basic ${Buffer.from('a:b').toString('base64')}`,
          `Bearer ${tamperSignature(token)}`,
          `Bearer ${token}.extra`,
          `bearer ${token}`,
          'Bearer ' + 'x'.repeat(8_000),
        ]);
      }
      if (fuzz.chance(0.1)) headers['x-request-id'] = fuzz.pick(['', 'x'.repeat(5_000), 'id with spaces', '\u00e9t\u00e9']);
      if (fuzz.chance(0.1)) headers.range = fuzz.pick(['bytes=0-1', 'bytes=-5', 'bytes=5-1', 'bytes=abc', 'bytes=0-1,3-4', 'bytes=99999999999999999999-']);
      if (fuzz.chance(0.05)) headers.accept = fuzz.pick(['text/html', '*/*', 'application/xml', '']);

      let body: RequestInit['body'];
      if (method !== 'GET') {
        const kind = MULTIPART_ROUTES.has(template) && fuzz.chance(0.6) ? 'multipart' : fuzz.pick(['json', 'json', 'json', 'raw', 'none']);
        if (kind === 'json') {
          headers['content-type'] = fuzz.pick(['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
          body = JSON.stringify(fuzz.chance(0.8) ? fuzz.object() : fuzz.value());
        } else if (kind === 'raw') {
          headers['content-type'] = fuzz.pick(['application/json', 'multipart/form-data; boundary=x', 'multipart/form-data', 'application/octet-stream', 'image/png']);
          body = fuzz.pick(['{', '}', 'null', '[]', '"str"', '123', '{"a":', '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc', '\u0000'.repeat(10), 'x'.repeat(2_000_000)]);
        } else if (kind === 'multipart') {
          const form = new FormData();
          const n = fuzz.int(4);
          for (let i = 0; i < n; i++) {
            const field = fuzz.pick(['file', 'file', 'title', 'artist', 'genreIds', 'other']);
            if (fuzz.chance(0.5)) {
              const bytes = new Uint8Array(fuzz.int(4_096)).map(() => fuzz.int(256));
              form.append(field, new Blob([bytes], { type: fuzz.pick(['image/png', 'audio/mpeg', 'application/octet-stream', '']) }), fuzz.pick(['a.png', 'a.mp3', '', '../x', 'é.jpg']));
            } else {
              form.append(field, fuzz.string().slice(0, 5_000));
            }
          }
          body = form;
        }
      }

      const started = performance.now();
      try {
        const res = await fetch(new URL(path, system.baseUrl), { method, headers, body, signal: AbortSignal.timeout(ANSWER_MS) });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // Readiness answers 503 by design while a service is too busy to answer its ping in time.
        const readiness = template === '/api/health/ready' && res.status === 503;
        if (res.status >= 500 && !readiness) problems.push(`${method} ${path.slice(0, 200)} → ${res.status} ${text.slice(0, 200)}`);
      } catch (err) {
        // Errors made by fetch come from outside Jest's realm: no `instanceof` here.
        const { name, message, cause } = err as { name: string; message: string; cause?: { code?: string; message?: string } };
        // fetch itself refuses some header values (e.g. non-Latin-1) before sending anything.
        if (name === 'TypeError' && !cause) return;
        // The gateway answers a refused request at once (401 before an upload is read,
        // 413 past a limit) and closes the connection rather than read a body it will
        // not use; fetch, still writing that body, reports the closed socket instead.
        if (body !== undefined && (cause?.code === 'EPIPE' || cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET')) {
          closedEarly++;
          return;
        }
        problems.push(`${method} ${path.slice(0, 200)} → no answer after ${Math.round(performance.now() - started)} ms (${name}: ${message}; ${cause?.code ?? ''} ${cause?.message ?? ''})`);
      }
    };

    let sent = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < REQUESTS) {
          sent++;
          await one();
        }
      }),
    );
    process.stdout.write(`fuzz seed ${seed}: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}, ${closedEarly} closed while sending the body\n`);

    if (problems.length > 0) {
      // What the processes logged about them (errors only), to find the bug.
      const errors = SYSTEM_APPS.flatMap((name) => system.apps[name].output().split('\n').filter((l) => /"level":(50|60)/.test(l)));
      process.stdout.write(`errors the apps logged:\n${errors.slice(0, 20).join('\n')}\n`);
    }
    expect(problems.slice(0, 50)).toEqual([]);
    const dead = SYSTEM_APPS.filter((name) => system.apps[name].hasExited);
    expect(dead).toEqual([]);
    expect((await system.api.get('/api/health/ready')).status).toBe(200);
  }, 300_000);
});
