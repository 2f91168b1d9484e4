// Live stages over Socket.IO against the real processes: two gateway replicas on one
// NATS, the stages, playlists, catalog and identity services. Changes made over REST or
// over a socket on one replica reach the subscribers on both.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChatMessageDto, PlaylistDto, SongDto, StageDto } from '@octave/contracts';
import { RealtimeTestClient } from '@octave/platform/testing';
import { makeTones } from './support/audio.js';
import { startSystem, type Api, type System } from './support/system.js';
import { registerUser, type RegisteredUser } from './support/users.js';

let system: System;
let api: Api;
/** The second gateway replica's base URL. */
let otherUrl: string;
let host: RegisteredUser;
let ann: RegisteredUser;
let bob: RegisteredUser;
let cat: RegisteredUser;
let song: SongDto;
let stage: StageDto;
const clients: RealtimeTestClient[] = [];

beforeAll(async () => {
  let tones: Awaited<ReturnType<typeof makeTones>>;
  [system, tones] = await Promise.all([startSystem('realtime'), makeTones()]);
  api = system.api;
  otherUrl = (await system.startGateway()).baseUrl;
  [host, ann, bob, cat] = await Promise.all([registerUser(api), registerUser(api), registerUser(api), registerUser(api)]);

  const form = new FormData();
  form.append('title', 'Tone');
  form.append('artist', 'Sox');
  form.append('file', new Blob([new Uint8Array(tones.mp3)], { type: 'application/octet-stream' }), 'tone.mp3');
  song = (await expectStatus(api.request<SongDto>('POST', '/api/songs', { form, token: host.accessToken, timeoutMs: 60_000 }), 201)).body;
  const playlist = (await expectStatus(api.post<PlaylistDto>('/api/playlists', { name: 'Set' }, { token: host.accessToken }), 201)).body;
  await expectStatus(api.post(`/api/playlists/${playlist.id}/songs`, { songId: song.id }, { token: host.accessToken }), 201);
  stage = (await expectStatus(api.post<StageDto>('/api/stages', { name: 'Live', playlistIds: [playlist.id] }, { token: host.accessToken }), 201)).body;
}, 180_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await system?.stop();
}, 30_000);

async function expectStatus<T extends { status: number; body: unknown }>(pending: Promise<T>, status: number): Promise<T> {
  const res = await pending;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}

async function connect(baseUrl: string, user: RegisteredUser): Promise<RealtimeTestClient> {
  // Real processes on a busy machine: wait longer than in-process tests do.
  const client = await RealtimeTestClient.connect(baseUrl, { token: user.accessToken, waitMs: 10_000 });
  clients.push(client);
  return client;
}

// One stage's life, step by step: each test continues where the one before left off.
describe('a live stage over Socket.IO on two gateway replicas', () => {
  let hostSocket: RealtimeTestClient; // replica 1
  let annSocket: RealtimeTestClient; // replica 2
  let bobPhone: RealtimeTestClient; // replica 1
  let bobLaptop: RealtimeTestClient; // replica 2

  const everyone = () => [hostSocket, annSocket, bobPhone, bobLaptop];

  it('lets participants subscribe on either replica, and refuses the others', async () => {
    await expectStatus(api.post(`/api/stages/${stage.id}/join`, undefined, { token: ann.accessToken }), 200);
    await expectStatus(api.post(`/api/stages/${stage.id}/join`, undefined, { token: bob.accessToken }), 200);
    hostSocket = await connect(system.baseUrl, host);
    annSocket = await connect(otherUrl, ann);
    bobPhone = await connect(system.baseUrl, bob);
    bobLaptop = await connect(otherUrl, bob);

    for (const client of everyone()) {
      const ack = await client.emitAck('stage:subscribe', { stageId: stage.id });
      expect(ack.ok).toBe(true);
      expect(ack.stage.id).toBe(stage.id);
      expect(ack.stage.participants.map((p: { id: number }) => p.id).sort()).toEqual([host.user.id, ann.user.id, bob.user.id].sort());
      expect(ack.playback).toEqual(expect.objectContaining({ songId: null, paused: expect.any(Boolean), serverTime: expect.any(String) }));
    }

    const catSocket = await connect(otherUrl, cat);
    const refused = await catSocket.emitAck('stage:subscribe', { stageId: stage.id });
    expect(refused.ok).toBe(false);
    expect(refused.error).toEqual(expect.objectContaining({ statusCode: 403, error: 'Forbidden' }));
    expect((await catSocket.emitAck('stage:subscribe', { stageId: 2_000_000_000 })).error.statusCode).toBe(404);
    catSocket.close();
  });

  it('tells every subscriber who joins', async () => {
    await expectStatus(api.post(`/api/stages/${stage.id}/join`, undefined, { token: cat.accessToken }), 200);
    for (const client of everyone()) {
      const { payload } = await client.waitFor('participant:joined', (p) => p.user.id === cat.user.id);
      expect(payload).toEqual({ stageId: stage.id, user: { id: cat.user.id, username: cat.username, avatarUrl: null } });
    }
  });

  it('delivers chat sent over REST and over a socket to everyone on both replicas', async () => {
    const viaRest = (await expectStatus(api.post<ChatMessageDto>(`/api/stages/${stage.id}/chat`, { message: 'hi from REST' }, { token: ann.accessToken }), 201)).body;
    const viaSocket = await bobLaptop.emitAck('chat:send', { stageId: stage.id, message: '  hi from a socket  ' });
    expect(viaSocket).toEqual({
      ok: true,
      message: { id: expect.any(Number), stageId: stage.id, sender: { id: bob.user.id, username: bob.username }, message: 'hi from a socket', createdAt: expect.any(String) },
    });
    for (const client of everyone()) {
      expect((await client.waitFor('chat:message', (m) => m.id === viaRest.id)).payload).toEqual(viaRest);
      expect((await client.waitFor('chat:message', (m) => m.id === viaSocket.message.id)).payload).toEqual(viaSocket.message);
    }
    const history = await api.get(`/api/stages/${stage.id}/chat`, { token: host.accessToken });
    expect(history.body.items.map((m: ChatMessageDto) => m.id)).toEqual([viaSocket.message.id, viaRest.id]);

    const invalid = await annSocket.emitAck('chat:send', { stageId: stage.id, message: '   ' });
    expect(invalid.error.statusCode).toBe(400);
  });

  it('pushes the playback state when the host plays', async () => {
    const playback = (await expectStatus(api.post(`/api/stages/${stage.id}/playback`, { action: 'play', songId: song.id }, { token: host.accessToken }), 200)).body;
    expect(playback).toEqual(expect.objectContaining({ songId: song.id, paused: false }));
    for (const client of everyone()) {
      const { payload } = await client.waitFor('playback:state', (p) => p.songId === song.id);
      expect(payload).toEqual(expect.objectContaining({ stageId: stage.id, songId: song.id, paused: false, startedAt: expect.any(String) }));
    }
  });

  it('unsubscribes every socket of a kicked user, on both replicas, while the others still receive', async () => {
    await expectStatus(api.post(`/api/stages/${stage.id}/kick`, { userId: bob.user.id }, { token: host.accessToken }), 204);
    for (const client of everyone()) {
      expect((await client.waitFor('participant:kicked')).payload).toEqual({ stageId: stage.id, userId: bob.user.id });
    }
    const after = (await expectStatus(api.post<ChatMessageDto>(`/api/stages/${stage.id}/chat`, { message: 'bob is gone' }, { token: ann.accessToken }), 201)).body;
    await hostSocket.waitFor('chat:message', (m) => m.id === after.id);
    await annSocket.waitFor('chat:message', (m) => m.id === after.id);
    for (const bobSocket of [bobPhone, bobLaptop]) {
      await bobSocket.roundTrip();
      expect(bobSocket.payloads('chat:message').map((m) => m.id)).not.toContain(after.id);
      expect((await bobSocket.emitAck('stage:subscribe', { stageId: stage.id })).error.statusCode).toBe(403);
    }
    expect((await bobPhone.emitAck('chat:send', { stageId: stage.id, message: 'let me back' })).error.statusCode).toBe(403);
  });

  it('tells the subscribers when the host ends the stage; the kicked user hears nothing of it', async () => {
    await expectStatus(api.delete(`/api/stages/${stage.id}`, undefined, { token: host.accessToken }), 204);
    for (const client of [hostSocket, annSocket]) {
      expect((await client.waitFor('stage:ended')).payload).toEqual({ stageId: stage.id });
    }
    const ack = await annSocket.emitAck('stage:subscribe', { stageId: stage.id });
    expect(ack.error.statusCode).toBe(404);
    for (const client of everyone()) await client.roundTrip();
    for (const client of [bobPhone, bobLaptop]) expect(client.payloads('stage:ended')).toEqual([]);
  });
});
