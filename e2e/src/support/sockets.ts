import { io, type Socket } from 'socket.io-client';

/** How long a test waits for an event or an acknowledgement. */
const WAIT_MS = 10_000;

export interface ReceivedEvent {
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: any;
}

/** A Socket.IO client of the gateway's `/realtime`, as an app uses it, recording every event it receives. */
export class RealtimeClient {
  readonly received: ReceivedEvent[] = [];
  private waiters: { match: (r: ReceivedEvent) => boolean; resolve: (r: ReceivedEvent) => void }[] = [];

  private constructor(readonly socket: Socket) {
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

  /** Connects to the gateway at `baseUrl` with an access token; rejects on `connect_error`. */
  static async connect(baseUrl: string, token: string): Promise<RealtimeClient> {
    const socket = io(baseUrl, { path: '/realtime', auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
    return new RealtimeClient(socket);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  emitAck(event: string, ...args: unknown[]): Promise<any> {
    return this.socket.timeout(WAIT_MS).emitWithAck(event, ...args);
  }

  /** The first event named `event` (already received or to come) whose payload matches. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  waitFor(event: string, match: (payload: any) => boolean = () => true): Promise<ReceivedEvent> {
    const test = (r: ReceivedEvent) => r.event === event && match(r.payload);
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within ${WAIT_MS} ms`)), WAIT_MS);
      this.waiters.push({ match: test, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  }

  /**
   * A round trip through the gateway: whatever the gateway emitted to this socket before
   * it handled the round trip has arrived when this resolves (proves an absence).
   */
  async roundTrip(): Promise<void> {
    await this.emitAck('stage:unsubscribe', { stageId: 2_147_483_647 });
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
