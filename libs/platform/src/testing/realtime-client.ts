import { INT32_MAX } from '@octave/contracts';
import { io, type Socket } from 'socket.io-client';

/** An event the client received: its name and its first argument. */
export interface ReceivedEvent {
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: any;
}

export interface RealtimeTestClientOptions {
  /** The access token, sent as `auth.token`. */
  token?: string;
  /** The whole handshake `auth` object instead (a malformed one, say); `token` is then ignored. */
  auth?: Record<string, unknown>;
  /** How long `emitAck` and `waitFor` wait before they fail; 5 s unless given. */
  waitMs?: number;
}

/**
 * A Socket.IO client of the gateway's `/realtime`, as an app uses it (WebSocket only, no
 * reconnection), recording every event it receives, for integration and end-to-end tests.
 */
export class RealtimeTestClient {
  readonly received: ReceivedEvent[] = [];
  private waiters: { match: (r: ReceivedEvent) => boolean; resolve: (r: ReceivedEvent) => void }[] = [];

  private constructor(
    readonly socket: Socket,
    private readonly waitMs: number,
  ) {
    socket.onAny((event: string, payload: unknown) => {
      const r = { event, payload };
      this.received.push(r);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(r)) return true;
        w.resolve(r);
        return false;
      });
    });
  }

  /** Connects to the gateway at `baseUrl`; rejects with the `connect_error` (e.g. `unauthorized`). */
  static async connect(baseUrl: string, opts: RealtimeTestClientOptions = {}): Promise<RealtimeTestClient> {
    const auth = opts.auth ?? (opts.token === undefined ? {} : { token: opts.token });
    const socket = io(baseUrl, { path: '/realtime', auth, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
    return new RealtimeTestClient(socket, opts.waitMs ?? 5_000);
  }

  /** Emits `event` and resolves with the server's acknowledgement. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  emitAck<T = any>(event: string, ...args: unknown[]): Promise<T> {
    return this.socket.timeout(this.waitMs).emitWithAck(event, ...args) as Promise<T>;
  }

  /** `stage:subscribe` to one stage; resolves with the acknowledgement. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  subscribe(stageId: number): Promise<any> {
    return this.emitAck('stage:subscribe', { stageId });
  }

  /** The first event named `event` (already received or to come) whose payload matches. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  waitFor(event: string, match: (payload: any) => boolean = () => true): Promise<ReceivedEvent> {
    const test = (r: ReceivedEvent) => r.event === event && match(r.payload);
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within ${this.waitMs} ms`)), this.waitMs);
      this.waiters.push({ match: test, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  }

  /**
   * A round trip to the gateway: whatever it emitted to this socket before it handled
   * the round trip has arrived when this resolves, which proves an absence without sleeping.
   */
  async roundTrip(): Promise<void> {
    await this.emitAck('stage:unsubscribe', { stageId: INT32_MAX });
  }

  /** Payloads of the events named `event`, in the order received. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payloads(event: string): any[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload);
  }

  close(): void {
    this.socket.close();
  }
}
