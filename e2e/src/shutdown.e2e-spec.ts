// SIGTERM, as Kubernetes sends it on every rollout and node drain: no request that was
// accepted may fail, no committed event may be lost, and the process exits cleanly
// within the grace period.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EVENTS_STREAM, type EventEnvelope, type SessionDto } from '@octave/contracts';
import type { AppProcess } from '@octave/platform/testing';
import { startSystem, type System } from './support/system.js';
import { DEFAULT_PASSWORD, uniqueUsername } from './support/users.js';

/** What the manifests give a pod between SIGTERM and SIGKILL is 30 s; Octave's apps need far less. */
const GRACE_MS = 10_000;

let system: System;

beforeAll(async () => {
  system = await startSystem('shutdown');
}, 90_000);

afterAll(async () => {
  await system?.stop();
}, 30_000);

/** Sends SIGTERM and resolves with the exit code and how long the exit took (`null` code: still running after the grace period). */
async function terminate(app: AppProcess): Promise<{ code: number | null; ms: number }> {
  const sent = Date.now();
  app.child.kill('SIGTERM');
  const timer = new AbortController();
  const code = await Promise.race([
    app.exited,
    sleep(GRACE_MS, 'late' as const, { signal: timer.signal }).catch(() => 'late' as const),
  ]).finally(() => timer.abort());
  if (code === 'late') {
    await app.kill();
    throw new Error(`${app.name} was still running ${GRACE_MS} ms after SIGTERM; its last output:\n${app.output()}`);
  }
  return { code, ms: Date.now() - sent };
}

/** The `user.registered` events in the stream, by user id. */
async function registeredEvents(): Promise<Map<number, EventEnvelope<{ userId: number }>>> {
  const nc = await connect({ servers: system.infra.nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(EVENTS_STREAM);
    const events = new Map<number, EventEnvelope<{ userId: number }>>();
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const msg = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
      if (msg?.subject !== 'identity.events.user.registered') continue;
      const envelope = msg.json<EventEnvelope<{ userId: number }>>();
      events.set(envelope.data.userId, envelope);
    }
    return events;
  } finally {
    await nc.close();
  }
}

describe('SIGTERM to a service', () => {
  it('answers every request in flight, publishes the events they committed and exits with 0', async () => {
    // Registrations hash passwords with argon2id, a few at a time: twelve keep the
    // identity service busy for a while after the first one is answered.
    const requests = Array.from({ length: 12 }, async () => {
      const username = uniqueUsername('sd_');
      const res = await system.api.post<SessionDto>(
        '/api/auth/register',
        { username, email: `${username}@example.com`, password: DEFAULT_PASSWORD },
        { timeoutMs: 20_000 },
      );
      return { status: res.status, body: res.body, answeredAt: Date.now() };
    });
    await Promise.race(requests);
    const signalledAt = Date.now();
    const exit = await terminate(system.apps.identity);
    const answers = await Promise.all(requests);

    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    // Some were still being handled when the signal came (else this test proves nothing).
    expect(answers.filter((a) => a.answeredAt > signalledAt).length).toBeGreaterThan(0);
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(GRACE_MS);

    // The last registrations committed their events while the service was stopping.
    const events = await registeredEvents();
    for (const { body } of answers) expect(events.get(body.user.id)?.data.userId).toBe(body.user.id);

    await system.restart('identity');
    await system.waitReady();
  }, 60_000);
});

describe('SIGTERM to the gateway', () => {
  it('finishes the requests in flight, refuses new connections and exits with 0', async () => {
    const { hostname, port } = new URL(system.baseUrl);
    const username = uniqueUsername('sd_');
    const body = JSON.stringify({ username, email: `${username}@example.com`, password: DEFAULT_PASSWORD });

    // A client that keeps idle connections open for long, as a proxy in front of the gateway does.
    const agent = new http.Agent({ keepAlive: true, timeout: 60_000 });
    // A request the gateway is reading when the signal comes: headers and half the body now, the rest later.
    const req = http.request({
      host: hostname,
      port,
      method: 'POST',
      agent,
      path: '/api/auth/register',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const answer = new Promise<{ status: number; connection?: string; body: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }));
        res.on('error', reject);
      });
    });
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    await sleep(300); // the gateway has parsed the headers and is waiting for the body

    const exit = terminate(system.apps.gateway);
    // The listening socket goes away at once, while the request above is still open.
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await connectionRefused(hostname, Number(port));
      if (!refused) await sleep(100);
    }
    expect(refused).toBe(true);
    expect(system.apps.gateway.hasExited).toBe(false);

    req.end(body.slice(half));
    const res = await answer;
    expect(res.status).toBe(201);
    expect((JSON.parse(res.body) as SessionDto).user.username).toBe(username);
    // Its connection ended with the answer, or the gateway would wait for the client to close it.
    expect(res.connection).toBe('close');
    expect((await exit).code).toBe(0);
    agent.destroy();
  }, 30_000);
});

function connectionRefused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}
