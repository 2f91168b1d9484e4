import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type Actor,
  BusHeaders,
  type ChatMessageDto,
  type ErrorEnvelope,
  type PlaybackDto,
  realtimeSubject,
  type StageDto,
  type StageRealtimeEvent,
  type StageRealtimeEvents,
  type StageRealtimeMessage,
  StagesErrorCode,
} from '@octave/contracts';
import { signAccessToken } from '@octave/platform/auth';
import { startS3Server, type S3ServerHandle } from '@octave/platform/storage';
import { startNatsServer, type NatsServerHandle } from '@octave/platform/testing';
import { loadGatewayConfig } from '../../config.js';
import { createGateway } from '../../gateway.js';

export const SECRET = 'realtime-test-secret-that-is-long-enough-0123456789';
const BUCKET = 'octave-rt-test';
export const RPC_TIMEOUT_MS = 500;

export function accessToken(actor: Actor, ttlSeconds = 900): string {
  return signAccessToken(actor, `sid-${actor.id}`, SECRET, ttlSeconds);
}

/** A real NATS server and S3 server, and gateways started on them in this process. */
export interface RealtimeBed {
  natsUrl: string;
  /** The test's own NATS connection (the fake stages service and the publisher). */
  nc: NatsConnection;
  startGateway(opts?: { rpcTimeoutMs?: number }): Promise<{ app: NestFastifyApplication; url: string }>;
  stop(): Promise<void>;
}

export async function startRealtimeBed(): Promise<RealtimeBed> {
  let nats: NatsServerHandle | undefined;
  let s3: S3ServerHandle | undefined;
  let nc: NatsConnection | undefined;
  const s3Dir = await mkdtemp(path.join(tmpdir(), 'octave-rt-s3-'));
  const apps: NestFastifyApplication[] = [];
  const stop = async () => {
    for (const app of apps) await app.close();
    await nc?.close();
    await Promise.allSettled([nats?.dispose(), s3?.close()]);
    await rm(s3Dir, { recursive: true, force: true });
  };
  try {
    nats = await startNatsServer();
    s3 = await startS3Server({ directory: s3Dir, bucket: BUCKET });
    nc = await connect({ servers: nats.url });
  } catch (err) {
    await stop();
    throw err;
  }
  const { url: natsUrl } = nats;
  const s3Handle = s3;
  return {
    natsUrl,
    nc,
    async startGateway(opts = {}) {
      const config = loadGatewayConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        NATS_URL: natsUrl,
        RPC_TIMEOUT_MS: String(opts.rpcTimeoutMs ?? RPC_TIMEOUT_MS),
        JWT_SECRET: SECRET,
        S3_ENDPOINT: s3Handle.endpoint,
        S3_ACCESS_KEY: s3Handle.accessKey,
        S3_SECRET_KEY: s3Handle.secretKey,
        S3_BUCKET: BUCKET,
      });
      const app = await createGateway(config);
      apps.push(app);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { app, url: await app.getUrl() };
    },
    stop,
  };
}

/** Publishes as the stages service does after a change, and waits until NATS has it. */
export async function publishRealtime<E extends StageRealtimeEvent>(
  nc: NatsConnection,
  stageId: number,
  event: E,
  payload: StageRealtimeEvents[E],
): Promise<void> {
  const message: StageRealtimeMessage<E> = { stageId, event, payload };
  nc.publish(realtimeSubject(stageId), JSON.stringify(message));
  await nc.flush();
}

export function chatMessage(stageId: number, sender: Actor, message: string, id = 1): ChatMessageDto {
  return { id, stageId, sender, message, createdAt: new Date().toISOString() };
}

const playback = (): PlaybackDto => ({
  songId: null,
  positionMs: 0,
  paused: true,
  startedAt: null,
  serverTime: '2024-01-01T00:00:00.000Z',
});

export interface RecordedCall {
  subject: string;
  data: { actor: Actor; id: number; message?: string };
  correlationId: string | undefined;
}

/**
 * The stages service as far as the gateway's socket handlers see it, on the real bus in
 * NestJS's reply format: stages with participants, `stages.stage.subscribe` and
 * `stages.chat.send` (which, like the service, also publishes `chat:message`).
 */
export class FakeStages {
  readonly calls: RecordedCall[] = [];
  private readonly stages = new Map<number, { host: Actor; participants: Map<number, Actor> }>();
  private readonly rateLimited = new Set<number>();
  private subs: Subscription[] = [];
  // Far from the ids tests give the messages they publish themselves.
  private nextMessageId = 10_000;
  /**
   * Runs between working out the answer of `stages.stage.subscribe` and sending it, so
   * the world can change after the check (the answer is then stale).
   */
  beforeSubscribeReply?: (call: RecordedCall) => Promise<void>;
  /** Stage ids the fake never answers for (a hung service). */
  readonly silentFor = new Set<number>();

  constructor(private readonly nc: NatsConnection) {}

  async start(): Promise<void> {
    this.subs = [
      this.nc.subscribe('stages.stage.subscribe', { callback: (_e, msg) => void this.handle(msg) }),
      this.nc.subscribe('stages.chat.send', { callback: (_e, msg) => void this.handle(msg) }),
    ];
    await this.nc.flush();
  }

  async stop(): Promise<void> {
    for (const sub of this.subs) sub.unsubscribe();
    this.subs = [];
    await this.nc.flush();
  }

  addStage(id: number, host: Actor, ...participants: Actor[]): void {
    this.stages.set(id, { host, participants: new Map([host, ...participants].map((a) => [a.id, a])) });
  }

  join(id: number, actor: Actor): void {
    this.stages.get(id)?.participants.set(actor.id, actor);
  }

  endStage(id: number): void {
    this.stages.delete(id);
  }

  remove(id: number, userId: number): void {
    this.stages.get(id)?.participants.delete(userId);
  }

  rateLimit(userId: number): void {
    this.rateLimited.add(userId);
  }

  stageDto(id: number): StageDto {
    const stage = this.stages.get(id);
    if (!stage) throw new Error(`no stage ${id}`);
    return {
      id,
      name: `stage ${id}`,
      coverUrl: null,
      host: stage.host,
      genres: [],
      playlists: [],
      participantCount: stage.participants.size,
      nowPlaying: playback(),
      createdAt: '2024-01-01T00:00:00.000Z',
      participants: [...stage.participants.values()].map((a) => ({ ...a, avatarUrl: null })),
    };
  }

  callsTo(subject: string): RecordedCall[] {
    return this.calls.filter((c) => c.subject === subject);
  }

  private async handle(msg: Msg): Promise<void> {
    const packet = msg.json<{ id: string; data: RecordedCall['data'] }>();
    const call: RecordedCall = { subject: msg.subject, data: packet.data, correlationId: msg.headers?.get(BusHeaders.correlationId) };
    this.calls.push(call);
    if (this.silentFor.has(packet.data.id)) return;
    const reply = await this.answer(call);
    if (call.subject === 'stages.stage.subscribe') await this.beforeSubscribeReply?.(call);
    msg.respond(JSON.stringify({ id: packet.id, ...reply, isDisposed: true }));
  }

  private async answer(call: RecordedCall): Promise<{ response: unknown } | { err: ErrorEnvelope }> {
    const { actor, id } = call.data;
    const stage = this.stages.get(id);
    if (!stage) return { err: { code: StagesErrorCode.StageNotFound, status: 404, message: `stage ${id} not found` } };
    if (!stage.participants.has(actor.id)) {
      return { err: { code: StagesErrorCode.NotParticipant, status: 403, message: 'you are not a participant of this stage' } };
    }
    if (call.subject === 'stages.stage.subscribe') return { response: { stage: this.stageDto(id), playback: playback() } };
    if (this.rateLimited.has(actor.id)) {
      return {
        err: { code: StagesErrorCode.ChatRateLimited, status: 429, message: 'too many chat messages', retryAfterSeconds: 3 },
      };
    }
    const chat = chatMessage(id, actor, call.data.message!.trim(), this.nextMessageId++);
    await publishRealtime(this.nc, id, 'chat:message', chat);
    return { response: chat };
  }
}
