import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { eventSubject, type EventData, type EventEnvelope } from '@octave/contracts';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../observability/index.js';
import { eventually, startNatsServer, type NatsServerHandle } from '../testing/index.js';
import { ensureEventsStream, followEvents, type FollowedEvents } from './index.js';

const logger = createLogger('live-events-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

type SongDeleted = EventData<'catalog', 'song.deleted'>;

/** A process following `song.deleted` on its own connection: what it was told, and its gaps. */
interface Follower {
  nc: NatsConnection;
  songIds: number[];
  gaps: number;
  followed: FollowedEvents;
}

describe(followEvents.name, () => {
  let server: NatsServerHandle;
  let publisher: NatsConnection;
  let js: JetStreamClient;
  const followers: Follower[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    publisher = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    await ensureEventsStream(publisher);
    js = jetstream(publisher);
  });

  afterAll(async () => {
    for (const f of followers) {
      f.followed.close();
      await f.nc.close();
    }
    await publisher?.close();
    await server?.dispose();
  });

  async function follower(): Promise<Follower> {
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const f = { nc, songIds: [] as number[], gaps: 0 } as Follower;
    f.followed = await followEvents(nc, 'catalog', 'song.deleted', (event) => f.songIds.push(event.data.songId), {
      onGap: () => f.gaps++,
      logger,
    });
    followers.push(f);
    return f;
  }

  /** Publishes as the outbox relay does: the envelope as JSON, to JetStream, with its id as message id. */
  async function publishDeleted(songId: number, type = 'song.deleted'): Promise<void> {
    const envelope: EventEnvelope<SongDeleted> = {
      id: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      version: 1,
      data: { songId, uploaderId: 1 },
    };
    await js.publish(eventSubject('catalog', type), JSON.stringify(envelope), { msgID: envelope.id });
  }

  it("hands every follower each event the relay publishes, and no other type's", async () => {
    const [a, b] = await Promise.all([follower(), follower()]);
    await publishDeleted(11, 'song.updated');
    await publishDeleted(12);
    await eventually(() => a.songIds.length > 0 && b.songIds.length > 0, 'both followers to get song 12');
    expect(a.songIds).toEqual([12]);
    expect(b.songIds).toEqual([12]);
    expect(a.gaps + b.gaps).toBe(0);
  });

  it('reports a gap for an unreadable message, and goes on', async () => {
    const f = await follower();
    publisher.publish(eventSubject('catalog', 'song.deleted'), 'not json');
    await publishDeleted(13);
    await eventually(() => f.songIds.includes(13), 'song 13');
    expect(f.gaps).toBe(1);
  });

  it('stops delivering once closed', async () => {
    const [open, closed] = await Promise.all([follower(), follower()]);
    closed.followed.close();
    // The server has processed the unsubscription once this round trip is back.
    await closed.nc.flush();
    await publishDeleted(14);
    await eventually(() => open.songIds.includes(14), 'song 14 on the open follower');
    expect(closed.songIds).toEqual([]);
  });

  it('reports a gap when the connection drops and again when it is back, then delivers again', async () => {
    const f = await follower();
    await server.stop();
    await eventually(() => f.gaps >= 1, 'a gap on disconnection');
    const whileDown = f.gaps;
    await server.start();
    await eventually(() => f.gaps > whileDown, 'a gap on reconnection');
    // The client subscribes again on reconnection; the publisher may still be reconnecting,
    // so publish until one gets through.
    await eventually(() => {
      void publishDeleted(15).catch(() => undefined);
      return f.songIds.includes(15);
    }, 'song 15 after the restart');
  });
});
