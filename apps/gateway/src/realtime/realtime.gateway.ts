import { Inject, Module } from '@nestjs/common';
import {
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Actor } from '@octave/contracts';
import { verifyAccessToken } from '@octave/platform/auth';
import { type Logger, metricsRegistry } from '@octave/platform/observability';
import { Gauge } from 'prom-client';
import type { Server, Socket } from 'socket.io';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG, LOGGER } from '../tokens.js';

export const REALTIME_PATH = '/realtime';

const connections = new Gauge({
  name: 'socketio_connections',
  help: 'Open Socket.IO connections on this gateway replica',
  registers: [metricsRegistry],
});

/** What a connected socket carries. */
export interface SocketData {
  actor: Actor;
}

export type RealtimeSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>;

/** The room every socket of a user joins, so a user can be reached on all their devices. */
export function userRoom(userId: number): string {
  return `user:${userId}`;
}

/** The access token of a handshake: `auth.token`, or an `Authorization: Bearer` header. */
function handshakeToken(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string') return fromAuth;
  const header = socket.handshake.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/**
 * Socket.IO at `/realtime` on the HTTP server. A socket is only accepted with a valid
 * access token; the client sees `connect_error` with the message `unauthorized`.
 */
@WebSocketGateway({ path: REALTIME_PATH, serveClient: false })
export class RealtimeGateway implements OnGatewayInit<Server>, OnGatewayConnection<RealtimeSocket>, OnGatewayDisconnect<RealtimeSocket> {
  /** For pushing events to rooms (`userRoom(id)`, later stage rooms). */
  @WebSocketServer()
  server!: Server;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
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
  }

  async handleConnection(socket: RealtimeSocket): Promise<void> {
    connections.inc();
    await socket.join(userRoom(socket.data.actor.id));
    this.logger.debug({ socketId: socket.id, userId: socket.data.actor.id }, 'socket connected');
  }

  handleDisconnect(socket: RealtimeSocket): void {
    connections.dec();
    this.logger.debug({ socketId: socket.id, userId: socket.data.actor?.id }, 'socket disconnected');
  }
}

@Module({ providers: [RealtimeGateway] })
export class RealtimeModule {}
