import { randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import { STATUS_CODES } from 'node:http';
import type { MeDto, SessionDto } from '@octave/contracts';
import type { Api, ApiResponse } from './system.js';

export const DEFAULT_PASSWORD = 'correct horse battery staple';

/** A username no other test uses: `<prefix><random>`, within 3–32 of [a-z0-9_.]. */
export function uniqueUsername(prefix = 'u_'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`.slice(0, 32);
}

export interface RegisteredUser extends SessionDto {
  username: string;
  email: string;
  password: string;
}

/**
 * Registers a new user through the API and returns its session and credentials. A
 * generated user whose registration timed out (504: argon2id on a loaded machine, with
 * the fault suite's 1 s RPC timeout) is registered again under a fresh name, since the
 * timed-out one may still have been created.
 */
export async function registerUser(
  api: Api,
  fields: { username?: string; email?: string; password?: string } = {},
): Promise<RegisteredUser> {
  const attempts = fields.username === undefined && fields.email === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const username = fields.username ?? uniqueUsername();
    const email = fields.email ?? `${username.replace(/\./g, '_')}@example.com`;
    const password = fields.password ?? DEFAULT_PASSWORD;
    const res = await api.post<SessionDto>('/api/auth/register', { username, email, password });
    if (res.status === 201) return { ...res.body, username, email, password };
    if (res.status !== 504 || attempt === attempts) {
      throw new Error(`register ${username} answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
  }
}

/** Logs in and returns the session; fails the test on anything but 200. */
export async function login(api: Api, loginName: string, password: string): Promise<SessionDto> {
  const res = await api.post<SessionDto>('/api/auth/login', { login: loginName, password });
  expect(res.status).toBe(200);
  return res.body;
}

/** The error body every failure has: exactly statusCode, error and message. */
export function expectErrorBody(res: ApiResponse, status: number): void {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  expect(res.headers.get('content-type') ?? '').toMatch(/application\/json/);
  expect(Object.keys(res.body ?? {}).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(res.body.statusCode).toBe(status);
  expect(res.body.error).toBe(STATUS_CODES[status]);
  const message = res.body.message;
  if (Array.isArray(message)) {
    expect(message.length).toBeGreaterThan(0);
    for (const m of message) expect(typeof m).toBe('string');
  } else {
    expect(typeof message).toBe('string');
    expect(message.length).toBeGreaterThan(0);
  }
}

/** The shape of `Me` for a freshly registered user. */
export function expectFreshMe(me: MeDto, username: string, email: string): void {
  expect(me).toEqual({
    id: expect.any(Number),
    username,
    email,
    avatarUrl: null,
    bio: null,
    friendsCount: 0,
    followingCount: 0,
    followersCount: 0,
    createdAt: expect.any(String),
  });
  expect(Number.isInteger(me.id) && me.id > 0).toBe(true);
  expectIsoUtc(me.createdAt);
}

/** An ISO-8601 time stamp in UTC, close to now. */
export function expectIsoUtc(value: string): void {
  expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  expect(Math.abs(Date.parse(value) - Date.now())).toBeLessThan(10 * 60_000);
}
