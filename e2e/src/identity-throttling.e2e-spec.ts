// Failed logins are limited per account and per client address (LOGIN_MAX_FAILURES
// within LOGIN_WINDOW_SECONDS); past the limit the gateway answers 429 with Retry-After.
// Every request here comes from 127.0.0.1, so both limits count the same failures: each
// test waits for the window to pass before the next one starts.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSystem, type Api, type ApiResponse, type System } from './support/system.js';
import { expectErrorBody, registerUser, uniqueUsername } from './support/users.js';

const MAX_FAILURES = 3;
const WINDOW_SECONDS = 3;

let system: System;
let api: Api;

beforeAll(async () => {
  system = await startSystem('throttling', {
    env: { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS) },
  });
  api = system.api;
}, 90_000);

afterAll(async () => {
  await system?.stop();
}, 30_000);

/** The Retry-After of a 429, in seconds, checked to be within the window. */
function retryAfter(res: ApiResponse): number {
  expectErrorBody(res, 429);
  const header = res.headers.get('retry-after');
  expect(header).toMatch(/^\d+$/);
  const seconds = Number(header);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(WINDOW_SECONDS);
  return seconds;
}

describe('login throttling', () => {
  it('locks an account after LOGIN_MAX_FAILURES wrong passwords, until Retry-After has passed', async () => {
    const u = await registerUser(api);
    for (let i = 0; i < MAX_FAILURES; i++) {
      expectErrorBody(await api.post('/api/auth/login', { login: u.username, password: `wrong ${i}` }), 401);
    }
    const throttled = await api.post('/api/auth/login', { login: u.username, password: 'wrong again' });
    const wait = retryAfter(throttled);
    // Even the right password waits: otherwise the lock would not slow guessing down.
    retryAfter(await api.post('/api/auth/login', { login: u.username, password: u.password }));

    await sleep(wait * 1000 + 500);
    expect((await api.post('/api/auth/login', { login: u.username, password: u.password })).status).toBe(200);
  }, 20_000);

  it('limits failures per client address too, across different logins', async () => {
    // Each failure is for another (unknown) login, so only the per-address limit applies.
    for (let i = 0; i < MAX_FAILURES; i++) {
      expectErrorBody(await api.post('/api/auth/login', { login: uniqueUsername('ghost_'), password: 'whatever1' }), 401);
    }
    const wait = retryAfter(await api.post('/api/auth/login', { login: uniqueUsername('ghost_'), password: 'whatever1' }));

    await sleep(wait * 1000 + 500);
    expectErrorBody(await api.post('/api/auth/login', { login: uniqueUsername('ghost_'), password: 'whatever1' }), 401);
  }, 20_000);
});
