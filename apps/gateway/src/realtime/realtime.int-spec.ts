import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { realtimeSubject, type Actor } from '@octave/contracts';
import { RealtimeTestClient } from '@octave/platform/testing';
import { RealtimeGateway, stageRoom } from './realtime.gateway.js';
import {
  accessToken,
  chatMessage,
  FakeStages,
  publishRealtime,
  type RealtimeBed,
  startRealtimeBed,
} from './testing/realtime-harness.js';

const HOST: Actor = { id: 1, username: 'host' };
const ANN: Actor = { id: 2, username: 'ann' };
const BOB: Actor = { id: 3, username: 'bob' };
const EVE: Actor = { id: 4, username: 'eve' };

let bed: RealtimeBed;
let nc: NatsConnection;
let app: NestFastifyApplication;
let url: string;
let stages: FakeStages;
let nextStageId = 100;
const clients: RealtimeTestClient[] = [];

beforeAll(async () => {
  bed = await startRealtimeBed();
  nc = bed.nc;
  ({ app, url } = await bed.startGateway());
  stages = new FakeStages(nc);
  await stages.start();
}, 60_000);

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  stages.beforeSubscribeReply = undefined;
  // The next test counts rooms and sockets: the server must have seen every close.
  await waitUntil(async () => (await app.get(RealtimeGateway).server.fetchSockets()).length === 0);
});

afterAll(async () => {
  await bed?.stop();
});

async function connectAs(actor: Actor, ttlSeconds?: number): Promise<RealtimeTestClient> {
  const client = await RealtimeTestClient.connect(url, { token: accessToken(actor, ttlSeconds) });
  clients.push(client);
  return client;
}

/** A new stage hosted by HOST with the given participants. */
function newStage(...participants: Actor[]): number {
  const id = nextStageId++;
  stages.addStage(id, HOST, ...participants);
  return id;
}

async function subscribed(actor: Actor, ...stageIds: number[]): Promise<RealtimeTestClient> {
  const client = await connectAs(actor);
  for (const id of stageIds) expect((await client.subscribe(id)).ok).toBe(true);
  return client;
}

function socketsIn(room: string) {
  return app.get(RealtimeGateway).server.in(room).fetchSockets();
}

async function metrics(): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('stage:subscribe', () => {
  it('acknowledges a participant with the stage and playback and joins the stage room', async () => {
    const stageId = newStage(ANN);
    const ann = await connectAs(ANN);
    const ack = await ann.subscribe(stageId);
    expect(ack).toEqual({ ok: true, stage: stages.stageDto(stageId), playback: stages.stageDto(stageId).nowPlaying });
    const inRoom = await socketsIn(stageRoom(stageId));
    expect(inRoom.map((s) => s.id)).toEqual([ann.socket.id]);
    expect(stages.callsTo('stages.stage.subscribe').at(-1)?.data).toEqual({ actor: ANN, id: stageId });
  });

  it('counts stage rooms with at least one socket', async () => {
    const stageId = newStage(ANN, BOB);
    const before = metricValue(await metrics(), 'socketio_rooms');
    const ann = await subscribed(ANN, stageId);
    const bob = await subscribed(BOB, stageId);
    expect(metricValue(await metrics(), 'socketio_rooms')).toBe(before + 1);
    ann.close();
    await bob.roundTrip();
    expect(metricValue(await metrics(), 'socketio_rooms')).toBe(before + 1);
    expect((await bob.emitAck('stage:unsubscribe', { stageId })).ok).toBe(true);
    expect(metricValue(await metrics(), 'socketio_rooms')).toBe(before);
  });

  it('refuses a user who is not a participant with 403 and an unknown stage with 404, the REST error bodies', async () => {
    const stageId = newStage(ANN);
    const eve = await connectAs(EVE);
    expect(await eve.subscribe(stageId)).toEqual({
      ok: false,
      error: { statusCode: 403, error: 'Forbidden', message: 'you are not a participant of this stage' },
    });
    expect(await eve.subscribe(99_999)).toEqual({
      ok: false,
      error: { statusCode: 404, error: 'Not Found', message: 'stage 99999 not found' },
    });
    expect(await socketsIn(stageRoom(stageId))).toHaveLength(0);
  });

  it.each<[string, unknown[]]>([
    ['no payload', []],
    ['a string', ['1']],
    ['null', [null]],
    ['an array', [[{ stageId: 1 }]]],
    ['two payloads', [{ stageId: 1 }, { stageId: 2 }]],
    ['a string id', [{ stageId: '1' }]],
    ['id 0', [{ stageId: 0 }]],
    ['a negative id', [{ stageId: -1 }]],
    ['a fractional id', [{ stageId: 1.5 }]],
    ['an id past int32', [{ stageId: 2 ** 31 }]],
    ['an unknown field', [{ stageId: 1, admin: true }]],
  ])('acknowledges %s with 400 without asking the service', async (_name, args) => {
    const ann = await connectAs(ANN);
    const calls = stages.calls.length;
    const ack = await ann.emitAck('stage:subscribe', ...args);
    expect(ack.ok).toBe(false);
    expect(ack.error).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(Array) });
    expect(ack.error.message.length).toBeGreaterThan(0);
    expect(stages.calls.length).toBe(calls);
  });

  it('names every problem of a payload', async () => {
    const ann = await connectAs(ANN);
    const ack = await ann.emitAck('stage:subscribe', { stageId: 'x', extra: 1 });
    expect(ack.error.message).toEqual(['property extra should not exist', 'stageId must be a positive integer no larger than 2147483647']);
  });

  it('ignores an event without an acknowledgement callback, and keeps serving the socket', async () => {
    const stageId = newStage(ANN);
    const ann = await connectAs(ANN);
    const calls = stages.calls.length;
    ann.socket.emit('stage:subscribe', { stageId });
    ann.socket.emit('chat:send', { stageId, message: 'hi' });
    ann.socket.emit('stage:subscribe', 'garbage');
    await ann.roundTrip();
    expect(stages.calls.length).toBe(calls);
    expect(await socketsIn(stageRoom(stageId))).toHaveLength(0);
    expect((await ann.subscribe(stageId)).ok).toBe(true);
  });

  it('calls the service with a fresh correlation id per event', async () => {
    const stageId = newStage(ANN);
    const ann = await connectAs(ANN);
    await ann.subscribe(stageId);
    await ann.subscribe(stageId);
    const [a, b] = stages.callsTo('stages.stage.subscribe').slice(-2);
    expect(a.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.correlationId).not.toBe(b.correlationId);
  });

  it('answers 504 when the service does not answer in time, and 503 when it is not there', async () => {
    const stageId = newStage(ANN);
    const ann = await connectAs(ANN);
    stages.silentFor.add(stageId);
    try {
      expect(await ann.subscribe(stageId)).toEqual({
        ok: false,
        error: { statusCode: 504, error: 'Gateway Timeout', message: 'stages service did not answer in time' },
      });
    } finally {
      stages.silentFor.delete(stageId);
    }
    await stages.stop();
    try {
      expect(await ann.subscribe(stageId)).toEqual({
        ok: false,
        error: { statusCode: 503, error: 'Service Unavailable', message: 'stages service is unavailable' },
      });
      expect((await ann.emitAck('chat:send', { stageId, message: 'hi' })).error.statusCode).toBe(503);
    } finally {
      await stages.start();
    }
    expect(await socketsIn(stageRoom(stageId))).toHaveLength(0);
  });

  it('asks again when the user is kicked while the participant check is under way, and refuses', async () => {
    const stageId = newStage(ANN, BOB);
    const bob = await subscribed(BOB, stageId);
    const ann = await connectAs(ANN);
    stages.beforeSubscribeReply = async () => {
      stages.beforeSubscribeReply = undefined;
      stages.remove(stageId, ANN.id);
      await publishRealtime(nc, stageId, 'participant:kicked', { stageId, userId: ANN.id });
    };
    const calls = stages.callsTo('stages.stage.subscribe').length;
    expect((await ann.subscribe(stageId)).error?.statusCode).toBe(403);
    expect(stages.callsTo('stages.stage.subscribe').length - calls).toBe(2);
    expect((await socketsIn(stageRoom(stageId))).map((s) => s.id)).toEqual([bob.socket.id]);
  });

  it('asks again when the user left and came back during the check, and then subscribes', async () => {
    const stageId = newStage(ANN, BOB);
    const ann = await connectAs(ANN);
    stages.beforeSubscribeReply = async () => {
      stages.beforeSubscribeReply = undefined;
      // Someone else's departure does not concern Ann's check; her own does.
      await publishRealtime(nc, stageId, 'participant:left', { stageId, user: BOB });
      await publishRealtime(nc, stageId, 'participant:left', { stageId, user: ANN });
      stages.join(stageId, ANN);
    };
    const calls = stages.callsTo('stages.stage.subscribe').length;
    expect((await ann.subscribe(stageId)).ok).toBe(true);
    expect(stages.callsTo('stages.stage.subscribe').length - calls).toBe(2);
    expect((await socketsIn(stageRoom(stageId))).map((s) => s.id)).toEqual([ann.socket.id]);

    // A departure of another user during the check needs no second one.
    const bob = await connectAs(BOB);
    stages.beforeSubscribeReply = async () => {
      stages.beforeSubscribeReply = undefined;
      await publishRealtime(nc, stageId, 'participant:kicked', { stageId, userId: EVE.id });
    };
    const before = stages.callsTo('stages.stage.subscribe').length;
    expect((await bob.subscribe(stageId)).ok).toBe(true);
    expect(stages.callsTo('stages.stage.subscribe').length - before).toBe(1);
  });

  it('asks again when the stage ends during the check', async () => {
    const stageId = newStage(ANN);
    const ann = await connectAs(ANN);
    stages.beforeSubscribeReply = async () => {
      stages.beforeSubscribeReply = undefined;
      stages.endStage(stageId);
      await publishRealtime(nc, stageId, 'stage:ended', { stageId });
    };
    expect((await ann.subscribe(stageId)).error?.statusCode).toBe(404);
    expect(await socketsIn(stageRoom(stageId))).toHaveLength(0);
  });

  it('does not join a socket that disconnected while its check was under way', async () => {
    const stageId = newStage(ANN);
    const ann = await connectAs(ANN);
    let replied!: () => void;
    const gate = new Promise<void>((resolve) => (replied = resolve));
    stages.beforeSubscribeReply = () => gate;
    ann.socket.emit('stage:subscribe', { stageId }, () => undefined);
    await waitUntil(() => stages.callsTo('stages.stage.subscribe').some((c) => c.data.id === stageId));
    const annId = ann.socket.id;
    expect((await socketsIn(`user:${ANN.id}`)).map((s) => s.id)).toEqual([annId]);
    ann.close();
    await waitUntil(async () => (await socketsIn(`user:${ANN.id}`)).length === 0);
    replied();
    const observer = await connectAs(HOST);
    // The observer's own subscribe goes through the same gate, after the first reply.
    expect((await observer.subscribe(stageId)).ok).toBe(true);
    // The adapter's own bookkeeping (fetchSockets() would hide an id with no socket):
    // Socket.IO turns join() into a no-op once a socket is closed.
    const members = app.get(RealtimeGateway).server.of('/').adapter.rooms.get(stageRoom(stageId));
    expect([...(members ?? [])]).toEqual([observer.socket.id]);
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('stage:unsubscribe', () => {
  it('stops the events of that stage and acknowledges; garbage is a 400', async () => {
    const stageId = newStage(ANN, BOB);
    const ann = await subscribed(ANN, stageId);
    const bob = await subscribed(BOB, stageId);
    expect(await ann.emitAck('stage:unsubscribe', { stageId })).toEqual({ ok: true });
    await publishRealtime(nc, stageId, 'chat:message', chatMessage(stageId, BOB, 'after'));
    await bob.waitFor('chat:message');
    await ann.roundTrip();
    expect(ann.payloads('chat:message')).toEqual([]);
    const bad = await ann.emitAck('stage:unsubscribe', { id: stageId });
    expect(bad.ok).toBe(false);
    expect(bad.error.statusCode).toBe(400);
  });
});

describe('fan-out', () => {
  it('delivers each event, as published, to the subscribers of that stage only', async () => {
    const stageA = newStage(ANN, BOB);
    const stageB = newStage(BOB, EVE);
    const ann = await subscribed(ANN, stageA);
    const bob = await subscribed(BOB, stageA, stageB);
    const eve = await subscribed(EVE, stageB);
    const host = await connectAs(HOST); // a participant, but not subscribed

    const chat = chatMessage(stageA, ANN, 'hello');
    const state = { stageId: stageA, songId: 7, positionMs: 1500, paused: false, startedAt: new Date().toISOString(), serverTime: new Date().toISOString() };
    const joined = { stageId: stageA, user: { id: 9, username: 'zed', avatarUrl: null } };
    const updated = stages.stageDto(stageA);
    await publishRealtime(nc, stageA, 'chat:message', chat);
    await publishRealtime(nc, stageA, 'playback:state', state);
    await publishRealtime(nc, stageA, 'participant:joined', joined);
    await publishRealtime(nc, stageA, 'stage:updated', updated);

    for (const client of [ann, bob]) {
      await client.waitFor('stage:updated');
      expect(client.received).toEqual([
        { event: 'chat:message', payload: chat },
        { event: 'playback:state', payload: state },
        { event: 'participant:joined', payload: joined },
        { event: 'stage:updated', payload: updated },
      ]);
    }
    await eve.roundTrip();
    await host.roundTrip();
    expect(eve.received).toEqual([]);
    expect(host.received).toEqual([]);
  });

  it('counts messages by event and drops unreadable ones', async () => {
    const stageId = newStage(ANN);
    const ann = await subscribed(ANN, stageId);
    const before = await metrics();
    nc.publish(realtimeSubject(stageId), 'not json');
    nc.publish(realtimeSubject(stageId), JSON.stringify({ stageId, event: 'stage:exploded', payload: {} }));
    nc.publish(realtimeSubject(stageId), JSON.stringify({ stageId: 'x', event: 'chat:message', payload: {} }));
    await publishRealtime(nc, stageId, 'chat:message', chatMessage(stageId, ANN, 'still here'));
    await ann.waitFor('chat:message');
    const after = await metrics();
    const series = (event: string) => `realtime_messages_total{event="${event}"}`;
    expect(metricValue(after, series('invalid')) - metricValue(before, series('invalid'))).toBe(3);
    expect(metricValue(after, series('chat:message')) - metricValue(before, series('chat:message'))).toBe(1);
    expect(ann.received.map((r) => r.event)).toEqual(['chat:message']);
  });

  it('unsubscribes every socket of a kicked user at once, and the others still receive', async () => {
    const stageId = newStage(ANN, BOB);
    const phone = await subscribed(BOB, stageId);
    const laptop = await subscribed(BOB, stageId);
    const idle = await connectAs(BOB); // Bob's third device, never subscribed
    const ann = await subscribed(ANN, stageId);

    stages.remove(stageId, BOB.id);
    await publishRealtime(nc, stageId, 'participant:kicked', { stageId, userId: BOB.id });
    await ann.waitFor('participant:kicked');
    expect((await socketsIn(stageRoom(stageId))).map((s) => s.id)).toEqual([ann.socket.id]);

    await publishRealtime(nc, stageId, 'chat:message', chatMessage(stageId, ANN, 'bye bob'));
    await ann.waitFor('chat:message');
    for (const bob of [phone, laptop]) {
      await bob.roundTrip();
      // Told why the events stop, then nothing more.
      expect(bob.received).toEqual([{ event: 'participant:kicked', payload: { stageId, userId: BOB.id } }]);
    }
    await idle.roundTrip();
    expect(idle.received).toEqual([]);
    expect((await phone.subscribe(stageId)).error.statusCode).toBe(403);
  });

  it('unsubscribes the sockets of a user who left', async () => {
    const stageId = newStage(ANN, BOB);
    const bob = await subscribed(BOB, stageId);
    const ann = await subscribed(ANN, stageId);
    stages.remove(stageId, BOB.id);
    await publishRealtime(nc, stageId, 'participant:left', { stageId, user: BOB });
    await ann.waitFor('participant:left');
    await publishRealtime(nc, stageId, 'chat:message', chatMessage(stageId, ANN, 'where did bob go'));
    await ann.waitFor('chat:message');
    await bob.roundTrip();
    expect(bob.payloads('chat:message')).toEqual([]);
    expect((await socketsIn(stageRoom(stageId))).map((s) => s.id)).toEqual([ann.socket.id]);
  });

  it('tells everyone when the stage ends and empties its room', async () => {
    const stageId = newStage(ANN, BOB);
    const ann = await subscribed(ANN, stageId);
    const bob = await subscribed(BOB, stageId);
    const roomsBefore = metricValue(await metrics(), 'socketio_rooms');
    await publishRealtime(nc, stageId, 'stage:ended', { stageId });
    await ann.waitFor('stage:ended');
    await bob.waitFor('stage:ended');
    expect(await socketsIn(stageRoom(stageId))).toHaveLength(0);
    expect(metricValue(await metrics(), 'socketio_rooms')).toBe(roomsBefore - 1);
    await publishRealtime(nc, stageId, 'chat:message', chatMessage(stageId, HOST, 'anyone?'));
    const other = newStage(ANN);
    const witness = await subscribed(ANN, other);
    await publishRealtime(nc, other, 'chat:message', chatMessage(other, ANN, 'marker'));
    await witness.waitFor('chat:message');
    await ann.roundTrip();
    await bob.roundTrip();
    expect(ann.payloads('chat:message')).toEqual([]);
    expect(bob.payloads('chat:message')).toEqual([]);
  });
});

describe('chat:send', () => {
  it('acknowledges the stored message, which reaches every subscriber, the sender included', async () => {
    const stageId = newStage(ANN, BOB);
    const ann = await subscribed(ANN, stageId);
    const bob = await subscribed(BOB, stageId);
    const ack = await ann.emitAck('chat:send', { stageId, message: '  hello all  ' });
    expect(ack).toEqual({
      ok: true,
      message: { id: expect.any(Number), stageId, sender: ANN, message: 'hello all', createdAt: expect.any(String) },
    });
    expect(stages.callsTo('stages.chat.send').at(-1)?.data).toEqual({ actor: ANN, id: stageId, message: '  hello all  ' });
    expect((await bob.waitFor('chat:message')).payload).toEqual(ack.message);
    expect((await ann.waitFor('chat:message')).payload).toEqual(ack.message);
  });

  it('passes a rate limit on as 429 with the seconds to wait', async () => {
    const stageId = newStage(BOB);
    const bob = await connectAs(BOB);
    stages.rateLimit(BOB.id);
    expect(await bob.emitAck('chat:send', { stageId, message: 'spam' })).toEqual({
      ok: false,
      error: { statusCode: 429, error: 'Too Many Requests', message: 'too many chat messages', retryAfterSeconds: 3 },
    });
  });

  it('refuses a user who is not a participant with 403', async () => {
    const stageId = newStage(ANN);
    const eve = await connectAs(EVE);
    const ack = await eve.emitAck('chat:send', { stageId, message: 'let me in' });
    expect(ack.error).toEqual({ statusCode: 403, error: 'Forbidden', message: 'you are not a participant of this stage' });
  });

  it.each<[string, unknown[], string[]]>([
    ['a blank message', [{ stageId: 1, message: '   ' }], ['message must be 1 to 1000 characters long (after trimming)']],
    ['a message too long', [{ stageId: 1, message: 'x'.repeat(1001) }], ['message must be 1 to 1000 characters long (after trimming)']],
    ['a message that is not a string', [{ stageId: 1, message: 5 }], ['message must be a string']],
    ['no message', [{ stageId: 1 }], ['message must be a string']],
    ['no stage', [{ message: 'hi' }], ['stageId must be a positive integer no larger than 2147483647']],
    ['an unknown field', [{ stageId: 1, message: 'hi', to: 2 }], ['property to should not exist']],
    ['a string', ['hi'], ['payload must be an object {stageId, message}']],
    ['nothing', [], ['payload must be an object {stageId, message}']],
  ])('acknowledges %s with 400 without asking the service', async (_name, args, problems) => {
    const ann = await connectAs(ANN);
    const calls = stages.calls.length;
    expect(await ann.emitAck('chat:send', ...args)).toEqual({
      ok: false,
      error: { statusCode: 400, error: 'Bad Request', message: problems },
    });
    expect(stages.calls.length).toBe(calls);
  });

  it('accepts a message of exactly 1000 characters once trimmed', async () => {
    const stageId = newStage(ANN);
    const ann = await connectAs(ANN);
    const ack = await ann.emitAck('chat:send', { stageId, message: ` ${'x'.repeat(1000)} ` });
    expect(ack.ok).toBe(true);
    expect(ack.message.message).toHaveLength(1000);
  });
});

describe('token expiry', () => {
  it('disconnects a socket when its access token expires, and not before', async () => {
    const stageId = newStage(ANN);
    const started = Date.now();
    const ann = await connectAs(ANN, 2);
    const long = await connectAs(BOB);
    expect((await ann.subscribe(stageId)).ok).toBe(true);
    const reason = await new Promise<string>((resolve) => ann.socket.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
    // JWT times are whole seconds: the token ends between 1 and 2 s after it was signed.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await socketsIn(stageRoom(stageId))).toHaveLength(0);
    expect(long.socket.connected).toBe(true);
    await expect(RealtimeTestClient.connect(url, { token: accessToken(ANN, -1) })).rejects.toThrow('unauthorized');
  });
});

describe('documentation', () => {
  it('describes the socket protocol in the OpenAPI document, token expiry included', async () => {
    const doc = (await (await fetch(`${url}/api/docs-json`)).json()) as { info: { description: string } };
    for (const text of ['/realtime', 'stage:subscribe', 'stage:unsubscribe', 'chat:send', 'participant:kicked', 'stage:ended', 'expires']) {
      expect(doc.info.description).toContain(text);
    }
  });
});
