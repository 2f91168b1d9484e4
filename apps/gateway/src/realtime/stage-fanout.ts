import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { STAGE_REALTIME_WILDCARD, type StageRealtimeEvent, type StageRealtimeMessage } from '@octave/contracts';
import { type Logger, metricsRegistry } from '@octave/platform/observability';
import { Counter, Gauge } from 'prom-client';
import type { Server } from 'socket.io';
import { LOGGER, NATS_CONNECTION } from '../tokens.js';
import { isStageRoom, stageRoom, userRoom } from './rooms.js';

const rooms = new Gauge({
  name: 'socketio_rooms',
  help: 'Stage rooms with at least one subscribed socket on this gateway replica',
  registers: [metricsRegistry],
});

const messages = new Counter({
  name: 'realtime_messages_total',
  help: 'Stage realtime messages received from the bus, by event (`invalid`: unreadable, dropped)',
  labelNames: ['event'],
  registers: [metricsRegistry],
});

const EVENTS: ReadonlySet<string> = new Set<StageRealtimeEvent>([
  'chat:message',
  'participant:joined',
  'participant:left',
  'participant:kicked',
  'playback:state',
  'stage:updated',
  'stage:ended',
]);

/** A `stage:subscribe` between its participant check and joining the room. */
export interface PendingSubscription {
  readonly stageId: number;
  readonly userId: number;
  /** Set when the user stopped being a participant (or the stage ended) meanwhile. */
  revoked: boolean;
}

function parse(text: string): StageRealtimeMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Partial<StageRealtimeMessage>;
  const valid =
    typeof m.stageId === 'number' &&
    Number.isInteger(m.stageId) &&
    m.stageId > 0 &&
    typeof m.event === 'string' &&
    EVENTS.has(m.event) &&
    typeof m.payload === 'object' &&
    m.payload !== null;
  return valid ? (m as StageRealtimeMessage) : undefined;
}

/** The user whose sockets must leave the stage's room with this message, if any. */
function departingUser(message: StageRealtimeMessage): number | undefined {
  switch (message.event) {
    case 'participant:kicked':
      return (message as StageRealtimeMessage<'participant:kicked'>).payload.userId;
    case 'participant:left':
      return (message as StageRealtimeMessage<'participant:left'>).payload.user?.id;
    default:
      return undefined;
  }
}

/**
 * Carries what the stages service publishes on `realtime.stages.<id>` to the sockets of
 * this replica subscribed to that stage. Every replica subscribes (no queue group): each
 * has its own sockets. Rooms are local to the replica, so Socket.IO needs no adapter
 * between replicas.
 */
@Injectable()
export class StageFanout implements OnModuleDestroy {
  private server?: Server;
  private subscription?: Subscription;
  private readonly pending = new Map<number, Set<PendingSubscription>>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Starts delivering to `server`'s sockets; called once the Socket.IO server exists. */
  start(server: Server): void {
    this.server = server;
    const adapter = server.of('/').adapter;
    adapter.on('create-room', (room: unknown) => {
      if (isStageRoom(room)) rooms.inc();
    });
    adapter.on('delete-room', (room: unknown) => {
      if (isStageRoom(room)) rooms.dec();
    });
    this.subscription = this.nc.subscribe(STAGE_REALTIME_WILDCARD, {
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err, subject: STAGE_REALTIME_WILDCARD }, 'realtime subscription failed');
          return;
        }
        this.deliver(msg.string(), msg.subject);
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /**
   * Registers a subscription whose participant check is under way. A kick, leave or end
   * that arrives before it joins the room revokes it: the answer of the check may
   * predate that change, and joining would let a former participant listen on.
   */
  track(stageId: number, userId: number): PendingSubscription {
    const entry: PendingSubscription = { stageId, userId, revoked: false };
    let set = this.pending.get(stageId);
    if (!set) this.pending.set(stageId, (set = new Set()));
    set.add(entry);
    return entry;
  }

  release(entry: PendingSubscription): void {
    const set = this.pending.get(entry.stageId);
    if (!set) return;
    set.delete(entry);
    if (set.size === 0) this.pending.delete(entry.stageId);
  }

  private revoke(stageId: number, userId: number | undefined): void {
    const set = this.pending.get(stageId);
    if (!set) return;
    for (const entry of set) {
      if (userId === undefined || entry.userId === userId) entry.revoked = true;
    }
  }

  /**
   * Parsed once and emitted once to the room (Socket.IO encodes a broadcast once for all
   * its sockets). Departures are emitted first, so the departing user's own sockets
   * learn why their events stop, and applied in the same tick, so no later event
   * reaches them.
   */
  private deliver(text: string, subject: string): void {
    const server = this.server;
    if (!server) return;
    const message = parse(text);
    if (!message) {
      messages.inc({ event: 'invalid' });
      this.logger.warn({ subject }, 'unreadable realtime message dropped');
      return;
    }
    messages.inc({ event: message.event });
    const room = stageRoom(message.stageId);
    if (server.of('/').adapter.rooms.has(room)) server.to(room).emit(message.event, message.payload);

    if (message.event === 'stage:ended') {
      server.in(room).socketsLeave(room);
      this.revoke(message.stageId, undefined);
      return;
    }
    const userId = departingUser(message);
    if (userId !== undefined) {
      server.in(userRoom(userId)).socketsLeave(room);
      this.revoke(message.stageId, userId);
    }
  }
}
