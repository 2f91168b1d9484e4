import { expect } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatMessageDto, FriendRequestDto, PlaylistDto, PlaylistEntryDto, SongDto, StageDto, UserDto } from '@octave/contracts';
import type { TestInfraOptions } from '@octave/platform/testing';
import { connect } from '@nats-io/transport-node';
import { RpcClient } from '@octave/platform/bus';
import { DEFAULT_ACK_WAIT_MS } from '@octave/platform/events';
import type { RpcSubject } from '@octave/contracts';
import { makeWavOfSize } from '../../e2e/src/support/audio.js';
import { startSystem, type AnyBody, type Api, type AppName, type System } from '../../e2e/src/support/system.js';
import { registerUser, type RegisteredUser } from '../../e2e/src/support/users.js';

/**
 * The environment of every app under fault. RPC_TIMEOUT_MS is 1 s (default 5 s): a
 * request already in flight when its service dies gets no answer, and the gateway
 * answers it 504 after that timeout; the suite holds every request to "answered within
 * about a second while the service is down", which the default would turn into five.
 * Chat is not rate limited here: the load sends far more than a person would.
 */
export const FAULT_ENV: Record<string, string> = {
  RPC_TIMEOUT_MS: '1000',
  CHAT_RATE_LIMIT: '10000',
  CHAT_RATE_WINDOW_SECONDS: '1',
};

/** Each load request gives up after this: an answer later than that is a hung request. */
export const CLIENT_TIMEOUT_MS = 3_000;
/** While something is down, an answer must come within this (1 s plus scheduling slack on 2 cores). */
export const DOWN_ANSWER_MS = 1_500;
/** How soon after a restarted process is back its routes must work again. */
export const RECOVERY_MS = 5_000;
/**
 * How long counters kept from events may take to converge. A consumer killed with
 * messages in hand (it pulls a few ahead) gets them again only once their ack_wait
 * (EventConsumer's default, 10 s) has passed; a handler that failed while PostgreSQL was
 * down is retried with a back-off (1, 2, 4 s, ...). Both are then handled within seconds.
 */
export const CONVERGENCE_MS = DEFAULT_ACK_WAIT_MS + 10_000;
/** How long a restarted service may take to boot (Node, Nest, migrations check, NATS). */
export const BOOT_MS = 20_000;

export function startFaultSystem(label: string, infra?: TestInfraOptions): Promise<System> {
  return startSystem(`fault_${label}`, { env: FAULT_ENV, infra });
}

/** What one request came to: a status, or `timeout`/`error` when no answer arrived. */
export interface Outcome {
  kind: string;
  status: number | 'timeout' | 'error';
  ms: number;
  body: AnyBody;
}

/** Sends one request and never throws: the load records whatever happened. */
export async function attempt(
  kind: string,
  fn: (timeoutMs: number) => Promise<{ status: number; body: AnyBody }>,
): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await fn(CLIENT_TIMEOUT_MS);
    return { kind, status: res.status, ms: performance.now() - started, body: res.body };
  } catch (err) {
    const status = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') ? 'timeout' : 'error';
    return { kind, status, ms: performance.now() - started, body: String(err) };
  }
}

/** An outcome that may or may not have taken effect: no answer, or a 5xx. */
export const isAmbiguous = (o: Outcome) => typeof o.status !== 'number' || o.status >= 500;

export interface World {
  users: RegisteredUser[];
  song: SongDto;
}

/** Users who act on each other, and one song to put in playlists. */
export async function makeWorld(api: Api, userCount = 6): Promise<World> {
  const users: RegisteredUser[] = [];
  for (let i = 0; i < userCount; i++) users.push(await registerUser(api));
  const form = new FormData();
  form.append('title', 'Fault tone');
  form.append('artist', 'Sox');
  form.append('file', new Blob([new Uint8Array(await makeWavOfSize(8_864))], { type: 'audio/wav' }), 'tone.wav');
  const res = await api.request<SongDto>('POST', '/api/songs', { form, token: users[0].accessToken, timeoutMs: 30_000 });
  if (res.status !== 201) throw new Error(`song upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { users, song: res.body };
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/**
 * A bounded mixed load over every service: friend requests and accepts, unfriends,
 * follows and unfollows, playlist adds and moves, chat messages. It records every
 * outcome, so that afterwards each acknowledged effect can be checked.
 */
export class MixedLoad {
  readonly outcomes: Outcome[] = [];
  /** Entries whose add was answered 201. */
  readonly addedEntries = new Set<number>();
  /** Chat messages answered 201, by id. */
  readonly sentMessages = new Map<number, string>();
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;

  private constructor(
    private readonly api: Api,
    private readonly world: World,
    readonly playlist: PlaylistDto,
    readonly stage: StageDto,
  ) {}

  /** A fresh playlist (owned by the first user) and stage (hosted by it, everyone joined). */
  static async prepare(api: Api, world: World): Promise<MixedLoad> {
    const [owner, ...others] = world.users;
    const playlist = await api.post<PlaylistDto>('/api/playlists', { name: 'Under fault' }, { token: owner.accessToken });
    if (playlist.status !== 201) throw new Error(`playlist answered ${playlist.status}`);
    const stage = await api.post<StageDto>('/api/stages', { name: 'Under fault' }, { token: owner.accessToken });
    if (stage.status !== 201) throw new Error(`stage answered ${stage.status}`);
    for (const u of others) {
      const joined = await api.post(`/api/stages/${stage.body.id}/join`, undefined, { token: u.accessToken });
      if (joined.status !== 200) throw new Error(`join answered ${joined.status}`);
    }
    return new MixedLoad(api, world, playlist.body, stage.body);
  }

  start(socialLoops = 2): void {
    this.running = true;
    const loop = async (step: () => Promise<void>) => {
      while (this.running) {
        await step();
        // A breath between requests: a bounded load, not a benchmark.
        await sleep(10);
      }
    };
    for (let i = 0; i < socialLoops; i++) this.loops.push(loop(() => this.socialStep()));
    this.loops.push(loop(() => this.playlistStep()));
    this.loops.push(loop(() => this.chatStep()));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async record(kind: string, fn: (timeoutMs: number) => Promise<{ status: number; body: AnyBody }>): Promise<Outcome> {
    const o = await attempt(kind, fn);
    this.outcomes.push(o);
    return o;
  }

  private async socialStep(): Promise<void> {
    const a = pick(this.world.users);
    const b = pick(this.world.users.filter((u) => u !== a));
    const opts = (timeoutMs: number) => ({ token: a.accessToken, timeoutMs });
    switch (Math.floor(Math.random() * 4)) {
      case 0:
        await this.record('follow', (t) => this.api.put(`/api/users/${b.user.id}/follow`, undefined, opts(t)));
        break;
      case 1:
        await this.record('unfollow', (t) => this.api.delete(`/api/users/${b.user.id}/follow`, undefined, opts(t)));
        break;
      case 2: {
        const req = await this.record('friend-request', (t) => this.api.post<FriendRequestDto>('/api/friends/requests', { userId: b.user.id }, opts(t)));
        if (req.status === 201) {
          await this.record('friend-accept', (t) =>
            this.api.post(`/api/friends/requests/${req.body.id}/accept`, undefined, { token: b.accessToken, timeoutMs: t }),
          );
        }
        break;
      }
      default:
        await this.record('unfriend', (t) => this.api.delete(`/api/friends/${b.user.id}`, undefined, opts(t)));
    }
  }

  private async playlistStep(): Promise<void> {
    const owner = this.world.users[0];
    const base = `/api/playlists/${this.playlist.id}/songs`;
    if (this.addedEntries.size > 1 && Math.random() < 0.4) {
      const entryId = pick([...this.addedEntries]);
      const position = Math.floor(Math.random() * this.addedEntries.size);
      await this.record('playlist-move', (t) => this.api.patch(`${base}/${entryId}`, { position }, { token: owner.accessToken, timeoutMs: t }));
      return;
    }
    const added = await this.record('playlist-add', (t) =>
      this.api.post<PlaylistEntryDto>(base, { songId: this.world.song.id }, { token: owner.accessToken, timeoutMs: t }),
    );
    if (added.status === 201) this.addedEntries.add(added.body.id);
  }

  private async chatStep(): Promise<void> {
    const sender = pick(this.world.users);
    const message = `fault message ${++this.seq} from ${sender.username}`;
    const sent = await this.record('chat', (t) =>
      this.api.post<ChatMessageDto>(`/api/stages/${this.stage.id}/chat`, { message }, { token: sender.accessToken, timeoutMs: t }),
    );
    if (sent.status === 201) this.sentMessages.set(sent.body.id, message);
  }

  /** Outcomes of a kind that may have taken effect without saying so. */
  ambiguous(kind: string): number {
    return this.outcomes.filter((o) => o.kind === kind && isAmbiguous(o)).length;
  }

  /** No request hung, and no 5xx other than 503 (unavailable) and 504 (timed out). */
  expectNoHangNorBug(): void {
    const hung = this.outcomes.filter((o) => o.status === 'timeout');
    expect(hung.map((o) => `${o.kind} after ${Math.round(o.ms)} ms`)).toEqual([]);
    const bugs = this.outcomes.filter((o) => typeof o.status === 'number' && o.status >= 500 && o.status !== 503 && o.status !== 504);
    expect(bugs.map((o) => `${o.kind}: ${o.status} ${JSON.stringify(o.body)}`)).toEqual([]);
    const failed = this.outcomes.filter((o) => o.status === 'error');
    expect(failed.map((o) => `${o.kind}: ${o.body}`)).toEqual([]);
    // The load did work: this is not a run where everything failed.
    expect(this.outcomes.filter((o) => o.status === 201 || o.status === 200 || o.status === 204).length).toBeGreaterThan(20);
  }

  /**
   * Every acknowledged add is in the playlist exactly once, positions are 0..n-1, and
   * any other entry comes from an add whose answer was lost.
   */
  async expectPlaylistExact(): Promise<void> {
    const owner = this.world.users[0];
    const res = await this.api.get<PlaylistDto>(`/api/playlists/${this.playlist.id}`, { token: owner.accessToken });
    expect(res.status).toBe(200);
    const entries = res.body.songs!;
    expect(entries.map((e) => e.position)).toEqual(entries.map((_, i) => i));
    const ids = entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const missing = [...this.addedEntries].filter((id) => !ids.includes(id));
    expect(missing).toEqual([]);
    const unacknowledged = ids.filter((id) => !this.addedEntries.has(id));
    expect(unacknowledged.length).toBeLessThanOrEqual(this.ambiguous('playlist-add'));
    expect(res.body.songCount).toBe(entries.length);
  }

  /** Every acknowledged chat message is in the history exactly once. */
  async expectChatExact(): Promise<void> {
    const history: ChatMessageDto[] = [];
    let before: number | undefined;
    for (;;) {
      const query = `limit=100${before ? `&before=${before}` : ''}`;
      const res = await this.api.get<{ items: ChatMessageDto[]; nextCursor: string | null }>(
        `/api/stages/${this.stage.id}/chat?${query}`,
        { token: this.world.users[0].accessToken },
      );
      expect(res.status).toBe(200);
      history.push(...res.body.items);
      if (!res.body.nextCursor || res.body.items.length === 0) break;
      before = res.body.items[res.body.items.length - 1].id;
    }
    const ids = history.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const texts = history.map((m) => m.message);
    expect(new Set(texts).size).toBe(texts.length);
    const byId = new Map(history.map((m) => [m.id, m.message]));
    const wrong = [...this.sentMessages].filter(([id, text]) => byId.get(id) !== text);
    expect(wrong).toEqual([]);
    expect(history.length - this.sentMessages.size).toBeLessThanOrEqual(this.ambiguous('chat'));
  }
}

async function listIds(api: Api, path: string, token: string): Promise<number[]> {
  const res = await api.get<{ items: UserDto[] }>(`${path}?limit=100`, { token });
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  return res.body.items.map((u) => u.id);
}

/**
 * The counters identity keeps from social's events equal the truth in social's lists,
 * for every user, within CONVERGENCE_MS (they may lag; they never drift).
 */
export async function expectCountersExact(api: Api, users: RegisteredUser[]): Promise<void> {
  const token = users[0].accessToken;
  const deadline = Date.now() + CONVERGENCE_MS;
  let diff: string[];
  for (;;) {
    diff = [];
    for (const u of users) {
      const [friends, following, followers, profile] = await Promise.all([
        listIds(api, `/api/users/${u.user.id}/friends`, token),
        listIds(api, `/api/users/${u.user.id}/following`, token),
        listIds(api, `/api/users/${u.user.id}/followers`, token),
        api.get<UserDto>(`/api/users/${u.user.id}`, { token }),
      ]);
      const truth = { friendsCount: friends.length, followingCount: following.length, followersCount: followers.length };
      const kept = {
        friendsCount: profile.body.friendsCount,
        followingCount: profile.body.followingCount,
        followersCount: profile.body.followersCount,
      };
      if (JSON.stringify(truth) !== JSON.stringify(kept)) diff.push(`user ${u.user.id}: kept ${JSON.stringify(kept)}, truth ${JSON.stringify(truth)}`);
    }
    if (diff.length === 0 || Date.now() > deadline) break;
    await sleep(250);
  }
  expect(diff).toEqual([]);
}

/**
 * After a fault and its recovery: the system is whole again, no request hung or failed
 * for a bug, and every counter, playlist position and chat message is exact.
 */
export async function expectNothingLostNorDoubled(system: System, load: MixedLoad, world: World): Promise<void> {
  await system.waitReady(30_000);
  load.expectNoHangNorBug();
  await expectCountersExact(system.api, world.users);
  await load.expectPlaylistExact();
  await load.expectChatExact();
}

export type ServiceName = Exclude<AppName, 'gateway'>;

/** A route that needs the service (and no other service a test stops). */
export function probePath(service: ServiceName, world: World, load: MixedLoad): string {
  const id = world.users[0].user.id;
  return {
    identity: `/api/users/${id}`,
    social: `/api/users/${id}/following`,
    catalog: `/api/songs/${world.song.id}`,
    playlists: `/api/playlists/${load.playlist.id}`,
    stages: `/api/stages/${load.stage.id}`,
  }[service];
}

/**
 * While something is down: every request on the paths is answered 503 or 504, each
 * within DOWN_ANSWER_MS (no hung request). Probes for `forMs`.
 */
export async function expectFastFailures(api: Api, paths: string[], token: string, forMs = 1_500): Promise<void> {
  const deadline = Date.now() + forMs;
  const seen: Outcome[] = [];
  do {
    seen.push(...(await Promise.all(paths.map((p) => attempt(p, (t) => api.get(p, { token, timeoutMs: t }))))));
  } while (Date.now() < deadline);
  const wrong = seen.filter((o) => (o.status !== 503 && o.status !== 504) || o.ms > DOWN_ANSWER_MS);
  expect(wrong.map((o) => `${o.kind}: ${o.status} in ${Math.round(o.ms)} ms ${JSON.stringify(o.body)}`)).toEqual([]);
}

/** Polls the paths until each answers 200; returns how long that took. */
export async function waitRecovered(api: Api, paths: string[], token: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const pending = new Set(paths);
  let last = '';
  while (pending.size > 0) {
    for (const p of [...pending]) {
      const o = await attempt(p, (t) => api.get(p, { token, timeoutMs: t }));
      if (o.status === 200) pending.delete(p);
      else last = `${p}: ${o.status}`;
    }
    if (pending.size === 0) break;
    if (Date.now() - started > timeoutMs) throw new Error(`not recovered within ${timeoutMs} ms; last: ${last}`);
    await sleep(100);
  }
  return Date.now() - started;
}

/**
 * Waits until the service answers its bus health ping (it is back), then until the
 * paths answer 200 through the gateway; fails unless that second part takes at most
 * RECOVERY_MS. Returns both durations.
 */
export async function expectRecovery(system: System, service: ServiceName, paths: string[], token: string): Promise<{ bootMs: number; gatewayMs: number }> {
  const started = Date.now();
  const nc = await connect({ servers: system.infra.nats.url, reconnect: false });
  try {
    for (;;) {
      // Up and reporting itself up: what the gateway's readiness asks too.
      const subject = `${service}.health.ping` as Extract<RpcSubject, `${string}.health.ping`>;
      const up = await new RpcClient(nc, 500).call(subject, {}).then(
        (report) => report.status === 'up',
        () => false,
      );
      if (up) break;
      if (Date.now() - started > BOOT_MS) throw new Error(`${service} did not answer its health ping within ${BOOT_MS} ms`);
      await sleep(50);
    }
  } finally {
    await nc.close();
  }
  const bootMs = Date.now() - started;
  const gatewayMs = await waitRecovered(system.api, paths, token, RECOVERY_MS);
  return { bootMs, gatewayMs };
}
