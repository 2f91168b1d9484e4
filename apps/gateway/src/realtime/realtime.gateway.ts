import { randomUUID } from 'node:crypto';
import { Inject, Module } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { ChatMessageDto, PlaybackDto, StageDto } from '@octave/contracts';
import { Public, verifyAccessToken } from '@octave/platform/auth';
import { RpcClient } from '@octave/platform/bus';
import { type Logger, metricsRegistry, runWithCorrelation } from '@octave/platform/observability';
import jwt from 'jsonwebtoken';
import { Gauge } from 'prom-client';
import type { Server, Socket } from 'socket.io';
import type { GatewayConfig } from '../config.js';
import { type ErrorBody, errorBody } from '../core/error-body.js';
import { mapException } from '../core/http-error.filter.js';
import { GATEWAY_CONFIG, LOGGER } from '../tokens.js';
import { parseChatPayload, parseStagePayload } from './payloads.js';
import { type RealtimeSocket, stageRoom, userRoom } from './rooms.js';
import { StageFanout } from './stage-fanout.js';

export { type RealtimeSocket, type SocketData, stageRoom, userRoom } from './rooms.js';

export const REALTIME_PATH = '/realtime';

const connections = new Gauge({
  name: 'socketio_connections',
  help: 'Open Socket.IO connections on this gateway replica',
  registers: [metricsRegistry],
});

// setTimeout's longest delay (about 24.8 days); a token living longer is re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Participant checks of one `stage:subscribe` that a concurrent kick or leave can invalidate. */
const SUBSCRIBE_ATTEMPTS = 3;

/** A failed acknowledgement: the REST error body, and on 429 the seconds to wait (sockets have no headers). */
export interface AckFailure {
  ok: false;
  error: ErrorBody & { retryAfterSeconds?: number };
}

type SubscribeAck = { ok: true; stage: StageDto; playback: PlaybackDto } | AckFailure;
type UnsubscribeAck = { ok: true } | AckFailure;
type ChatAck = { ok: true; message: ChatMessageDto } | AckFailure;

function failure(statusCode: number, message: string | string[], retryAfterSeconds?: number): AckFailure {
  return { ok: false, error: { ...errorBody(statusCode, message), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) } };
}

/** The access token of a handshake: `auth.token`, or an `Authorization: Bearer` header. */
function handshakeToken(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string') return fromAuth;
  const header = socket.handshake.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/** When a verified token expires (ms since the epoch), if it says. */
function expiresAt(token: string): number | undefined {
  const exp = (jwt.decode(token, { json: true }) as { exp?: unknown } | null)?.exp;
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/**
 * Socket.IO at `/realtime` on the HTTP server. A socket is only accepted with a valid
 * access token (the client sees `connect_error` with the message `unauthorized`), and is
 * disconnected when that token expires: a login that was revoked cannot listen on past
 * its last access token. The client reconnects with a fresh token.
 *
 * Client events (`stage:subscribe`, `stage:unsubscribe`, `chat:send`) are acknowledged
 * exactly once, errors included; an event without an acknowledgement callback is ignored.
 */
// Sockets are authenticated once, at the handshake (below); the global HTTP guard would
// look for an Authorization header on every event, which an event does not have.
@Public()
@WebSocketGateway({ path: REALTIME_PATH, serveClient: false })
export class RealtimeGateway implements OnGatewayInit<Server>, OnGatewayConnection<RealtimeSocket>, OnGatewayDisconnect<RealtimeSocket> {
  /** For pushing events to rooms (`userRoom(id)`, `stageRoom(id)`). */
  @WebSocketServer()
  server!: Server;

  private readonly expiryTimers = new WeakMap<RealtimeSocket, NodeJS.Timeout>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(RpcClient) private readonly rpc: RpcClient,
    @Inject(StageFanout) private readonly fanout: StageFanout,
  ) {}

  afterInit(server: Server): void {
    server.use((socket, next) => {
      const token = handshakeToken(socket);
      const actor = token ? verifyAccessToken(token, this.config.JWT_SECRET) : null;
      if (!actor) {
        next(new Error('unauthorized'));
        return;
      }
      (socket as RealtimeSocket).data.actor = actor;
      next();
    });
    this.fanout.start(server);
  }

  async handleConnection(socket: RealtimeSocket): Promise<void> {
    connections.inc();
    const token = handshakeToken(socket);
    const expiry = token ? expiresAt(token) : undefined;
    if (expiry !== undefined) this.disconnectAt(socket, expiry);
    await socket.join(userRoom(socket.data.actor.id));
    this.logger.debug({ socketId: socket.id, userId: socket.data.actor.id }, 'socket connected');
  }

  handleDisconnect(socket: RealtimeSocket): void {
    connections.dec();
    clearTimeout(this.expiryTimers.get(socket));
    this.expiryTimers.delete(socket);
    this.logger.debug({ socketId: socket.id, userId: socket.data.actor?.id }, 'socket disconnected');
  }

  private disconnectAt(socket: RealtimeSocket, expiry: number): void {
    const delay = expiry - Date.now();
    const timer = setTimeout(
      () => {
        if (delay > MAX_TIMER_MS) {
          this.disconnectAt(socket, expiry);
          return;
        }
        this.logger.debug({ socketId: socket.id, userId: socket.data.actor.id }, 'access token expired, socket disconnected');
        socket.disconnect(true);
      },
      Math.max(0, Math.min(delay, MAX_TIMER_MS)),
    );
    // An open socket keeps the process busy anyway; a forgotten timer must not.
    timer.unref();
    this.expiryTimers.set(socket, timer);
  }

  @SubscribeMessage('stage:subscribe')
  async subscribe(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    await this.answer(socket, 'stage:subscribe', ack, async (): Promise<SubscribeAck> => {
      const parsed = parseStagePayload(body);
      if (!parsed.ok) return failure(400, parsed.problems);
      const { stageId } = parsed.value;
      const actor = socket.data.actor;
      for (let attempt = 1; attempt <= SUBSCRIBE_ATTEMPTS; attempt++) {
        const pending = this.fanout.track(stageId, actor.id);
        let state: { stage: StageDto; playback: PlaybackDto };
        try {
          state = await this.rpc.call('stages.stage.subscribe', { actor, id: stageId });
        } finally {
          this.fanout.release(pending);
        }
        // The check may predate a kick, leave or end that arrived meanwhile: ask again.
        if (pending.revoked) continue;
        await socket.join(stageRoom(stageId));
        return { ok: true, stage: state.stage, playback: state.playback };
      }
      return failure(409, 'stage membership changed while subscribing; try again');
    });
  }

  @SubscribeMessage('stage:unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    await this.answer(socket, 'stage:unsubscribe', ack, async (): Promise<UnsubscribeAck> => {
      const parsed = parseStagePayload(body);
      if (!parsed.ok) return failure(400, parsed.problems);
      await socket.leave(stageRoom(parsed.value.stageId));
      return { ok: true };
    });
  }

  @SubscribeMessage('chat:send')
  async sendChat(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    await this.answer(socket, 'chat:send', ack, async (): Promise<ChatAck> => {
      const parsed = parseChatPayload(body);
      if (!parsed.ok) return failure(400, parsed.problems);
      const message = await this.rpc.call('stages.chat.send', {
        actor: socket.data.actor,
        id: parsed.value.stageId,
        message: parsed.value.message,
      });
      return { ok: true, message };
    });
  }

  /**
   * Runs one client event under a fresh correlation id and acknowledges it exactly once:
   * with its result, or with the error body REST would answer (bus errors included).
   */
  private async answer(
    socket: RealtimeSocket,
    event: string,
    ack: unknown,
    work: () => Promise<{ ok: true } | AckFailure>,
  ): Promise<void> {
    if (typeof ack !== 'function') return;
    const correlationId = randomUUID();
    const started = performance.now();
    let response: { ok: true } | AckFailure;
    try {
      response = await runWithCorrelation(correlationId, work);
    } catch (err) {
      const mapped = mapException(err, this.config.BODY_LIMIT_BYTES);
      if (mapped.log === 'error') this.logger.error({ err, correlationId, event, socketId: socket.id }, 'socket event failed');
      response = failure(mapped.body.statusCode, mapped.body.message, mapped.retryAfterSeconds);
    }
    (ack as (response: unknown) => void)(response);
    if (this.config.LOG_REQUESTS) {
      this.logger.info(
        {
          correlationId,
          event,
          socketId: socket.id,
          userId: socket.data.actor.id,
          status: response.ok ? 200 : response.error.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'socket event',
      );
    }
  }
}

@Module({ providers: [RealtimeGateway, StageFanout] })
export class RealtimeModule {}
