// What every deployment relies on: health, metrics, the OpenAPI document, request
// limits, and the gateway's behaviour when a service dies and comes back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MeDto } from '@octave/contracts';
import { expectStillAnswering, startSystem, type Api, type System } from './support/system.js';
import { expectErrorBody, registerUser, type RegisteredUser } from './support/users.js';

let system: System;
let api: Api;

beforeAll(async () => {
  system = await startSystem('platform');
  api = system.api;
}, 90_000);

afterAll(async () => {
  await system?.stop();
}, 30_000);

describe('health', () => {
  it('answers /api/health/live and /api/health/ready with 200, without a token', async () => {
    expect((await api.get('/api/health/live')).status).toBe(200);
    expect((await api.get('/api/health/ready')).status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with the HTTP request histogram', async () => {
    await api.get('/api/health/live');
    const res = await api.get<string>('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^# HELP /m);
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toContain('http_request_duration_seconds_bucket');
  });
});

describe('OpenAPI', () => {
  it('serves an OpenAPI 3 document that lists the identity routes', async () => {
    const res = await api.get('/api/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(res.body.paths ?? {});
    for (const p of ['/api/auth/register', '/api/auth/login', '/api/auth/refresh', '/api/me', '/api/me/avatar', '/api/users/{id}']) {
      expect(paths).toContain(p);
    }
  });

  it('serves the Swagger UI', async () => {
    const res = await api.get<string>('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.body.toLowerCase()).toContain('swagger');
  });
});

describe('request limits and errors', () => {
  it('refuses a 5 MB JSON body with 413', async () => {
    const huge = { username: 'big_body', email: 'big@example.com', password: 'p'.repeat(5 * 1024 * 1024) };
    expectErrorBody(await api.post('/api/auth/register', huge, { timeoutMs: 30_000 }), 413);
    await expectStillAnswering(api, '/api/health/live');
  });

  it('answers an unknown route with the error body and 404', async () => {
    const u = await registerUser(api);
    expectErrorBody(await api.get('/api/no-such-route', { token: u.accessToken }), 404);
  });
});

describe('when the identity service dies', () => {
  let u: RegisteredUser;
  beforeAll(async () => {
    u = await registerUser(api);
  });

  it('reports not ready and answers identity routes with 503, then recovers after a restart', async () => {
    await system.apps.identity.kill();

    // The gateway may need a moment to notice: poll readiness for a few seconds.
    let ready = await api.get('/api/health/ready');
    for (let i = 0; i < 50 && ready.status !== 503; i++) {
      await sleep(100);
      ready = await api.get('/api/health/ready');
    }
    expect(ready.status).toBe(503);

    // Without a responder on the bus the gateway answers at once, not after a timeout.
    expectErrorBody(await api.get('/api/me', { token: u.accessToken, timeoutMs: 10_000 }), 503);
    expectErrorBody(
      await api.post('/api/auth/login', { login: u.username, password: u.password }, { timeoutMs: 10_000 }),
      503,
    );
    // Liveness is about the gateway process itself.
    expect((await api.get('/api/health/live')).status).toBe(200);

    await system.restart('identity');
    await system.waitReady(60_000);

    const me = await api.get<MeDto>('/api/me', { token: u.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(u.user.id);
    expect((await api.post('/api/auth/login', { login: u.username, password: u.password })).status).toBe(200);
  }, 90_000);
});
