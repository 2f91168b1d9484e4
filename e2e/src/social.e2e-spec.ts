// Friend requests, friendships, follows and blocks through the gateway's HTTP API,
// against the real social and identity services, and the counters identity keeps
// from the social service's events.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FriendRequestDto, Page, UserDto } from '@octave/contracts';
import { startSystem, type Api, type ApiResponse, type System } from './support/system.js';
import { expectErrorBody, expectIsoUtc, registerUser, type RegisteredUser } from './support/users.js';

let system: System;
let api: Api;

beforeAll(async () => {
  system = await startSystem('social');
  api = system.api;
}, 90_000);

afterAll(async () => {
  await system?.stop();
}, 30_000);

const USER_KEYS = ['avatarUrl', 'bio', 'createdAt', 'followersCount', 'followingCount', 'friendsCount', 'id', 'username'];
const UNKNOWN_ID = 2_000_000_000;

type Counts = Pick<UserDto, 'friendsCount' | 'followingCount' | 'followersCount'>;

const newUser = () => registerUser(api);
/** Registered one after another: password hashing is deliberately slow, and many at once would time out. */
async function users(n: number): Promise<RegisteredUser[]> {
  const out: RegisteredUser[] = [];
  for (let i = 0; i < n; i++) out.push(await newUser());
  return out;
}

const ask = (from: RegisteredUser, to: RegisteredUser | number) =>
  api.post<FriendRequestDto>(
    '/api/friends/requests',
    { userId: typeof to === 'number' ? to : to.user.id },
    { token: from.accessToken },
  );
const accept = (who: RegisteredUser, requestId: number) =>
  api.post<FriendRequestDto>(`/api/friends/requests/${requestId}/accept`, undefined, { token: who.accessToken });
const follow = (who: RegisteredUser, whom: RegisteredUser | number) =>
  api.put(`/api/users/${typeof whom === 'number' ? whom : whom.user.id}/follow`, undefined, { token: who.accessToken });
const unfollow = (who: RegisteredUser, whom: RegisteredUser) =>
  api.delete(`/api/users/${whom.user.id}/follow`, undefined, { token: who.accessToken });
const block = (who: RegisteredUser, whom: RegisteredUser | number) =>
  api.put(`/api/users/${typeof whom === 'number' ? whom : whom.user.id}/block`, undefined, { token: who.accessToken });
const unblock = (who: RegisteredUser, whom: RegisteredUser) =>
  api.delete(`/api/users/${whom.user.id}/block`, undefined, { token: who.accessToken });

/** Makes two users friends through the API. */
async function befriend(a: RegisteredUser, b: RegisteredUser): Promise<number> {
  const asked = await ask(a, b);
  expect(asked.status).toBe(201);
  expect((await accept(b, asked.body.id)).status).toBe(200);
  return asked.body.id;
}

/** Ids of a list route's items, following `nextCursor` to the end. */
async function allIds(path: string, token: string, limit = 100): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const sep = path.includes('?') ? '&' : '?';
    const res: ApiResponse<Page<{ id: number }>> = await api.get(
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((i) => i.id));
    cursor = res.body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error(`${path} did not end`);
}

/** Polls GET /api/users/:id until the counters are as expected (they may lag, never drift). */
async function expectCounts(viewer: RegisteredUser, user: RegisteredUser, expected: Counts, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Counts | undefined;
  for (;;) {
    const res = await api.get<UserDto>(`/api/users/${user.user.id}`, { token: viewer.accessToken });
    if (res.status === 200) {
      last = { friendsCount: res.body.friendsCount, followingCount: res.body.followingCount, followersCount: res.body.followersCount };
      if (last.friendsCount === expected.friendsCount && last.followingCount === expected.followingCount && last.followersCount === expected.followersCount) {
        return;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`counters of ${user.username}: expected ${JSON.stringify(expected)}, last seen ${JSON.stringify(last)}`);
    }
    await sleep(100);
  }
}

/** Checks the counters now and once more a little later: converged, and not still moving. */
async function expectSettledCounts(viewer: RegisteredUser, expected: [RegisteredUser, Counts][]): Promise<void> {
  for (const [user, counts] of expected) await expectCounts(viewer, user, counts);
  await sleep(500);
  for (const [user, counts] of expected) await expectCounts(viewer, user, counts, 0);
}

function expectUser(value: unknown, user: RegisteredUser): void {
  expect(Object.keys(value as object).sort()).toEqual(USER_KEYS);
  expect(value).toMatchObject({ id: user.user.id, username: user.username });
}

describe('POST /api/friends/requests', () => {
  it('answers 201 with a pending FriendRequest holding both users', async () => {
    const [a, b] = await users(2);
    const res = await ask(a, b);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['addressee', 'createdAt', 'id', 'requester', 'status']);
    expect(res.body.status).toBe('pending');
    expect(Number.isInteger(res.body.id)).toBe(true);
    expectUser(res.body.requester, a);
    expectUser(res.body.addressee, b);
    expectIsoUtc(res.body.createdAt);
  });

  it('accepts the other user\'s request instead when they had asked first: 200 with status accepted', async () => {
    const [a, b] = await users(2);
    const first = await ask(a, b);
    const crossing = await ask(b, a);
    expect(crossing.status).toBe(200);
    expect(crossing.body).toMatchObject({ id: first.body.id, status: 'accepted' });
    expectUser(crossing.body.requester, a);
    expectUser(crossing.body.addressee, b);
    expect(await allIds(`/api/users/${a.user.id}/friends`, a.accessToken)).toEqual([b.user.id]);
  });

  it('ends parallel crossing requests in exactly one friendship, for 10 fresh pairs', async () => {
    const pairs: RegisteredUser[][] = [];
    for (let i = 0; i < 10; i++) pairs.push(await users(2));
    const answers = await Promise.all(pairs.map(([a, b]) => Promise.all([ask(a, b), ask(b, a)])));
    for (const [i, [a, b]] of pairs.entries()) {
      const [ab, ba] = answers[i];
      expect([ab.status, ba.status].sort()).toEqual([200, 201]);
      expect(ab.body.id).toBe(ba.body.id);
      const accepted = ab.status === 200 ? ab : ba;
      expect(accepted.body.status).toBe('accepted');
      expect(await allIds(`/api/users/${a.user.id}/friends`, a.accessToken)).toEqual([b.user.id]);
      expect(await allIds(`/api/users/${b.user.id}/friends`, b.accessToken)).toEqual([a.user.id]);
      // No pending row is left over on either side.
      expect(await allIds('/api/friends/requests?direction=incoming', a.accessToken)).toEqual([]);
      expect(await allIds('/api/friends/requests?direction=outgoing', a.accessToken)).toEqual([]);
    }
    const [a, b] = pairs[0];
    await expectSettledCounts(a, [
      [a, { friendsCount: 1, followingCount: 0, followersCount: 0 }],
      [b, { friendsCount: 1, followingCount: 0, followersCount: 0 }],
    ]);
  });

  it('rejects a request to oneself with 400', async () => {
    const a = await newUser();
    expectErrorBody(await ask(a, a), 400);
  });

  it('rejects a request to an unknown user with 404', async () => {
    const a = await newUser();
    expectErrorBody(await ask(a, UNKNOWN_ID), 404);
  });

  it('rejects a repeated request and a request between friends with 409', async () => {
    const [a, b, c] = await users(3);
    await ask(a, b);
    expectErrorBody(await ask(a, b), 409);
    await befriend(a, c);
    expectErrorBody(await ask(a, c), 409);
    expectErrorBody(await ask(c, a), 409);
  });

  it('rejects a request between users who block each other with 403, either way', async () => {
    const [a, b] = await users(2);
    expect((await block(a, b)).status).toBe(204);
    expectErrorBody(await ask(a, b), 403);
    expectErrorBody(await ask(b, a), 403);
  });

  it.each([
    ['no body', undefined],
    ['a missing userId', {}],
    ['a string userId', { userId: '12' }],
    ['a zero userId', { userId: 0 }],
    ['a fractional userId', { userId: 1.5 }],
    ['an unknown field', { userId: 1, note: 'hi' }],
  ])('rejects %s with 400', async (_name, body) => {
    const a = await newUser();
    expectErrorBody(await api.post('/api/friends/requests', body, { token: a.accessToken }), 400);
  });
});

describe('GET /api/friends/requests', () => {
  it('lists pending requests, incoming by default or outgoing, newest first, page by page', async () => {
    const [me, x, y, z, w] = await users(5);
    const fromX = await ask(x, me);
    const fromY = await ask(y, me);
    const fromZ = await ask(z, me);
    const toW = await ask(me, w);

    const first = await api.get<Page<FriendRequestDto>>('/api/friends/requests?limit=2', { token: me.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.items.map((r) => r.id)).toEqual([fromZ.body.id, fromY.body.id]);
    expect(first.body.items[0]).toEqual(fromZ.body);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await api.get<Page<FriendRequestDto>>(
      `/api/friends/requests?direction=incoming&limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`,
      { token: me.accessToken },
    );
    expect(second.body).toEqual({ items: [fromX.body], nextCursor: null });

    const outgoing = await api.get<Page<FriendRequestDto>>('/api/friends/requests?direction=outgoing', {
      token: me.accessToken,
    });
    expect(outgoing.body).toEqual({ items: [toW.body], nextCursor: null });

    // Accepted ones are friendships, not requests.
    await accept(me, fromX.body.id);
    expect(await allIds('/api/friends/requests', me.accessToken)).toEqual([fromZ.body.id, fromY.body.id]);
  });

  it.each([
    ['an unknown direction', 'direction=sideways'],
    ['a limit of 0', 'limit=0'],
    ['a limit over 100', 'limit=101'],
    ['a limit that is not a number', 'limit=ten'],
    ['a cursor that was never issued', 'cursor=bm9wZQ'],
    ['an unknown parameter', 'sort=asc'],
  ])('rejects %s with 400', async (_name, query) => {
    const a = await newUser();
    expectErrorBody(await api.get(`/api/friends/requests?${query}`, { token: a.accessToken }), 400);
  });
});

describe('answering friend requests', () => {
  it('POST .../accept: 200 for the addressee; 403 for the requester; 409 when not pending; 404 unknown', async () => {
    const [a, b, c] = await users(3);
    const { body: request } = await ask(a, b);
    expectErrorBody(await accept(a, request.id), 403);
    expectErrorBody(await accept(c, request.id), 404);
    const res = await accept(b, request.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...request, status: 'accepted', requester: expect.anything(), addressee: expect.anything() });
    expectUser(res.body.requester, a);
    expectUser(res.body.addressee, b);
    expectErrorBody(await accept(b, request.id), 409);
    expectErrorBody(await accept(b, UNKNOWN_ID), 404);
    expectErrorBody(await api.post('/api/friends/requests/abc/accept', undefined, { token: b.accessToken }), 400);
  });

  it('POST .../decline: 204 for the addressee, the request is gone; 403 for the requester', async () => {
    const [a, b] = await users(2);
    const { body: request } = await ask(a, b);
    const decline = (who: RegisteredUser) =>
      api.post(`/api/friends/requests/${request.id}/decline`, undefined, { token: who.accessToken });
    expectErrorBody(await decline(a), 403);
    const res = await decline(b);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(await allIds('/api/friends/requests', b.accessToken)).toEqual([]);
    expectErrorBody(await decline(b), 404);
    // Declined, not blocked: the requester may ask again.
    expect((await ask(a, b)).status).toBe(201);
  });

  it('DELETE /api/friends/requests/:id: 204 for the requester (cancel); 403 for the addressee; 409 once accepted', async () => {
    const [a, b] = await users(2);
    const { body: request } = await ask(a, b);
    const cancel = (who: RegisteredUser, id = request.id) =>
      api.delete(`/api/friends/requests/${id}`, undefined, { token: who.accessToken });
    expectErrorBody(await cancel(b), 403);
    expect((await cancel(a)).status).toBe(204);
    expect(await allIds('/api/friends/requests?direction=outgoing', a.accessToken)).toEqual([]);
    expectErrorBody(await cancel(a), 404);
    const again = await ask(a, b);
    await accept(b, again.body.id);
    expectErrorBody(await cancel(a, again.body.id), 409);
    expectErrorBody(await cancel(a, 0), 400);
  });
});

describe('friends', () => {
  it('GET /api/users/:id/friends lists full users, most recent first, page by page', async () => {
    const [me, f1, f2, f3] = await users(4);
    for (const f of [f1, f2, f3]) await befriend(f, me);
    const first = await api.get<Page<UserDto>>(`/api/users/${me.user.id}/friends?limit=2`, { token: f1.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.items.map((u) => u.id)).toEqual([f3.user.id, f2.user.id]);
    expectUser(first.body.items[0], f3);
    const second = await api.get<Page<UserDto>>(
      `/api/users/${me.user.id}/friends?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`,
      { token: f1.accessToken },
    );
    expect(second.body.items.map((u) => u.id)).toEqual([f1.user.id]);
    expect(second.body.nextCursor).toBeNull();
    expectErrorBody(await api.get(`/api/users/${UNKNOWN_ID}/friends`, { token: me.accessToken }), 404);
    expectErrorBody(await api.get('/api/users/abc/friends', { token: me.accessToken }), 400);
  });

  it('DELETE /api/friends/:userId unfriends (204), and is 404 when not friends', async () => {
    const [a, b, c] = await users(3);
    await befriend(a, b);
    await ask(a, c);
    await expectCounts(a, a, { friendsCount: 1, followingCount: 0, followersCount: 0 });
    const res = await api.delete(`/api/friends/${a.user.id}`, undefined, { token: b.accessToken });
    expect(res.status).toBe(204);
    expect(await allIds(`/api/users/${a.user.id}/friends`, a.accessToken)).toEqual([]);
    expectErrorBody(await api.delete(`/api/friends/${a.user.id}`, undefined, { token: b.accessToken }), 404);
    // A pending request is not a friendship.
    expectErrorBody(await api.delete(`/api/friends/${c.user.id}`, undefined, { token: a.accessToken }), 404);
    expectErrorBody(await api.delete('/api/friends/-3', undefined, { token: a.accessToken }), 400);
    await expectSettledCounts(a, [
      [a, { friendsCount: 0, followingCount: 0, followersCount: 0 }],
      [b, { friendsCount: 0, followingCount: 0, followersCount: 0 }],
    ]);
  });
});

describe('follows', () => {
  it('PUT and DELETE /api/users/:id/follow are idempotent (204), and the lists show it', async () => {
    const [a, b, c] = await users(3);
    for (let i = 0; i < 2; i++) {
      const res = await follow(a, b);
      expect(res.status).toBe(204);
      expect(res.body).toBe('');
    }
    await follow(c, b);
    await follow(b, a);
    expect(await allIds(`/api/users/${a.user.id}/following`, c.accessToken)).toEqual([b.user.id]);
    expect(await allIds(`/api/users/${b.user.id}/followers`, c.accessToken)).toEqual([c.user.id, a.user.id]);
    const page = await api.get<Page<UserDto>>(`/api/users/${b.user.id}/followers?limit=1`, { token: a.accessToken });
    expect(page.body.items).toHaveLength(1);
    expectUser(page.body.items[0], c);
    expect(await allIds(`/api/users/${b.user.id}/followers`, a.accessToken, 1)).toEqual([c.user.id, a.user.id]);
    await expectSettledCounts(a, [
      [a, { friendsCount: 0, followingCount: 1, followersCount: 1 }],
      [b, { friendsCount: 0, followingCount: 1, followersCount: 2 }],
    ]);

    for (let i = 0; i < 2; i++) expect((await unfollow(a, b)).status).toBe(204);
    expect(await allIds(`/api/users/${a.user.id}/following`, a.accessToken)).toEqual([]);
    await expectSettledCounts(a, [
      [a, { friendsCount: 0, followingCount: 0, followersCount: 1 }],
      [b, { friendsCount: 0, followingCount: 1, followersCount: 1 }],
    ]);
  });

  it('rejects following oneself (400), unknown users (404) and bad ids (400)', async () => {
    const a = await newUser();
    expectErrorBody(await follow(a, a), 400);
    expectErrorBody(await follow(a, UNKNOWN_ID), 404);
    expectErrorBody(await api.put('/api/users/1e3/follow', undefined, { token: a.accessToken }), 400);
    expectErrorBody(await api.delete('/api/users/99999999999/follow', undefined, { token: a.accessToken }), 400);
    expectErrorBody(await api.get(`/api/users/${UNKNOWN_ID}/following`, { token: a.accessToken }), 404);
    expectErrorBody(await api.get(`/api/users/${UNKNOWN_ID}/followers`, { token: a.accessToken }), 404);
    expectErrorBody(await api.get(`/api/users/${a.user.id}/followers?limit=500`, { token: a.accessToken }), 400);
  });
});

describe('blocks', () => {
  it('PUT /api/users/:id/block removes friendship, requests and follows both ways, and forbids new ones', async () => {
    const [a, b, c] = await users(3);
    await befriend(a, b);
    await follow(a, b);
    await follow(b, a);
    await ask(c, a);
    await expectCounts(a, a, { friendsCount: 1, followingCount: 1, followersCount: 1 });

    for (let i = 0; i < 2; i++) expect((await block(a, b)).status).toBe(204);
    await block(a, c);
    expect(await allIds(`/api/users/${a.user.id}/friends`, a.accessToken)).toEqual([]);
    expect(await allIds(`/api/users/${a.user.id}/following`, a.accessToken)).toEqual([]);
    expect(await allIds(`/api/users/${a.user.id}/followers`, a.accessToken)).toEqual([]);
    expect(await allIds('/api/friends/requests', a.accessToken)).toEqual([]);
    expect(await allIds('/api/friends/requests?direction=outgoing', c.accessToken)).toEqual([]);
    await expectSettledCounts(a, [
      [a, { friendsCount: 0, followingCount: 0, followersCount: 0 }],
      [b, { friendsCount: 0, followingCount: 0, followersCount: 0 }],
    ]);

    for (const [x, y] of [[a, b], [b, a], [c, a]] as const) {
      expectErrorBody(await ask(x, y), 403);
      expectErrorBody(await follow(x, y), 403);
    }
    // Unfollowing stays idempotent, blocked or not.
    expect((await unfollow(b, a)).status).toBe(204);

    // The blocked user cannot lift the block.
    expect((await unblock(b, a)).status).toBe(204);
    expectErrorBody(await follow(b, a), 403);
    for (let i = 0; i < 2; i++) expect((await unblock(a, b)).status).toBe(204);
    expect((await follow(b, a)).status).toBe(204);
    expect((await ask(a, b)).status).toBe(201);
  });

  it('rejects blocking oneself (400), unknown users (404) and bad ids (400)', async () => {
    const a = await newUser();
    expectErrorBody(await block(a, a), 400);
    expectErrorBody(await block(a, UNKNOWN_ID), 404);
    expectErrorBody(await api.delete(`/api/users/${UNKNOWN_ID}/block`, undefined, { token: a.accessToken }), 404);
    expectErrorBody(await api.put('/api/users/abc/block', undefined, { token: a.accessToken }), 400);
  });
});

describe('authentication', () => {
  it.each([
    ['POST', '/api/friends/requests'],
    ['GET', '/api/friends/requests'],
    ['POST', '/api/friends/requests/1/accept'],
    ['POST', '/api/friends/requests/1/decline'],
    ['DELETE', '/api/friends/requests/1'],
    ['GET', '/api/users/1/friends'],
    ['DELETE', '/api/friends/1'],
    ['PUT', '/api/users/1/follow'],
    ['DELETE', '/api/users/1/follow'],
    ['GET', '/api/users/1/following'],
    ['GET', '/api/users/1/followers'],
    ['PUT', '/api/users/1/block'],
    ['DELETE', '/api/users/1/block'],
  ])('%s %s needs a token (401)', async (method, path) => {
    expectErrorBody(await api.request(method, path, method === 'POST' ? { json: { userId: 1 } } : {}), 401);
  });
});

describe('counters', () => {
  it('go down for the others when an account is deleted', async () => {
    const [gone, friend, fan, idol] = await users(4);
    await befriend(gone, friend);
    await follow(fan, gone);
    await follow(gone, idol);
    await expectCounts(friend, idol, { friendsCount: 0, followingCount: 0, followersCount: 1 });

    const res = await api.delete('/api/me', { password: gone.password }, { token: gone.accessToken });
    expect(res.status).toBe(204);
    await expectSettledCounts(friend, [
      [friend, { friendsCount: 0, followingCount: 0, followersCount: 0 }],
      [fan, { friendsCount: 0, followingCount: 0, followersCount: 0 }],
      [idol, { friendsCount: 0, followingCount: 0, followersCount: 0 }],
    ]);
    expect(await allIds(`/api/users/${idol.user.id}/followers`, idol.accessToken)).toEqual([]);
    expectErrorBody(await follow(friend, gone), 404);
  });

  it('count what changed while identity was stopped, once it is back', async () => {
    const [a, b, c] = await users(3);
    // Known to the social service before identity goes away.
    await befriend(a, b);
    await follow(a, b);
    await follow(c, a);
    await expectSettledCounts(a, [
      [a, { friendsCount: 1, followingCount: 1, followersCount: 1 }],
      [b, { friendsCount: 1, followingCount: 0, followersCount: 1 }],
      [c, { friendsCount: 0, followingCount: 1, followersCount: 0 }],
    ]);

    await system.apps.identity.stop();
    try {
      expect((await unfollow(a, b)).status).toBe(204);
      expect((await follow(b, a)).status).toBe(204);
      expect((await follow(b, c)).status).toBe(204);
      expect((await api.delete(`/api/friends/${b.user.id}`, undefined, { token: a.accessToken })).status).toBe(204);
      expect((await block(c, a)).status).toBe(204);
      // Answers that need profiles wait for identity: 503, and nothing changes.
      expectErrorBody(await ask(a, b), 503);
    } finally {
      await system.restart('identity');
      await system.waitReady();
    }

    await expectSettledCounts(a, [
      [a, { friendsCount: 0, followingCount: 0, followersCount: 1 }],
      [b, { friendsCount: 0, followingCount: 2, followersCount: 0 }],
      [c, { friendsCount: 0, followingCount: 0, followersCount: 1 }],
    ]);
    expect(await allIds('/api/friends/requests', b.accessToken)).toEqual([]);
  }, 90_000);
});

describe('OpenAPI', () => {
  it('documents every social route with its statuses', async () => {
    const res = await api.get('/api/docs-json');
    expect(res.status).toBe(200);
    const paths = res.body.paths;
    const operations: [string, string, string[]][] = [
      ['/api/friends/requests', 'post', ['200', '201', '400', '401', '403', '404', '409']],
      ['/api/friends/requests', 'get', ['200', '400', '401']],
      ['/api/friends/requests/{id}/accept', 'post', ['200', '403', '404', '409']],
      ['/api/friends/requests/{id}/decline', 'post', ['204', '403', '404']],
      ['/api/friends/requests/{id}', 'delete', ['204', '403', '404']],
      ['/api/friends/{userId}', 'delete', ['204', '404']],
      ['/api/users/{id}/friends', 'get', ['200', '404']],
      ['/api/users/{id}/follow', 'put', ['204', '400', '403', '404']],
      ['/api/users/{id}/follow', 'delete', ['204']],
      ['/api/users/{id}/following', 'get', ['200']],
      ['/api/users/{id}/followers', 'get', ['200']],
      ['/api/users/{id}/block', 'put', ['204', '400', '404']],
      ['/api/users/{id}/block', 'delete', ['204']],
    ];
    for (const [path, method, statuses] of operations) {
      const operation = paths[path]?.[method];
      expect({ path, method, documented: Boolean(operation) }).toEqual({ path, method, documented: true });
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(statuses));
      expect(operation.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
    }
    expect(res.body.components.schemas.FriendRequestResponse.properties.status.enum).toEqual(['pending', 'accepted']);
  });
});
