import type { StageClientEvents, StageRealtimeEvents } from '@octave/contracts';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

/** Server → client events as Socket.IO listener signatures. */
export type StageServerListeners = { [E in keyof StageRealtimeEvents]: (payload: StageRealtimeEvents[E]) => void };

/** A socket typed with the stages' events: `socket.on('chat:message', (m) => …)`, `socket.emitWithAck('stage:subscribe', {stageId})`. */
export type RealtimeSocket = Socket<StageServerListeners, StageClientEvents>;

export type RealtimeOptions = Partial<ManagerOptions & SocketOptions>;

/** The access token itself, or a function giving the current one (asked again at each reconnection). */
export type TokenSource = string | (() => string | null | undefined | Promise<string | null | undefined>);

/**
 * Connects to the gateway's Socket.IO endpoint (`/realtime`) with an access token.
 * WebSocket only by default: long-polling needs sticky sessions across gateway replicas.
 */
export function connectRealtime(baseUrl: string, token: TokenSource, opts: RealtimeOptions = {}): RealtimeSocket {
  const auth =
    typeof token === 'string'
      ? { token }
      : (cb: (data: object) => void) => {
          Promise.resolve()
            .then(token)
            .then(
              (t) => cb({ token: t ?? '' }),
              () => cb({ token: '' }),
            );
        };
  return io(baseUrl, { path: '/realtime', transports: ['websocket'], ...opts, auth });
}
