import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Actor } from '@octave/contracts';
import { RealtimeTestClient } from '@octave/platform/testing';
import {
  chatMessage,
  FakeStages,
  publishRealtime,
  type RealtimeBed,
  startRealtimeBed,
  accessToken,
} from './testing/realtime-harness.js';

const HOST: Actor = { id: 1, username: 'host' };

let bed: RealtimeBed;
let stages: FakeStages;
let urls: string[];

beforeAll(async () => {
  bed = await startRealtimeBed();
  // Two replicas on one bus, as behind a load balancer. Hundreds of subscribes at once
  // share this process with the fake service and the clients: allow them time.
  const opts = { rpcTimeoutMs: 10_000 };
  urls = [(await bed.startGateway(opts)).url, (await bed.startGateway(opts)).url];
  stages = new FakeStages(bed.nc);
  await stages.start();
}, 60_000);

afterAll(async () => {
  await bed?.stop();
});

const user = (id: number): Actor => ({ id, username: `user${id}` });

async function subscribers(stageId: number, users: Actor[], url: (i: number) => string): Promise<RealtimeTestClient[]> {
  const clients = await Promise.all(users.map((u, i) => RealtimeTestClient.connect(url(i), { token: accessToken(u) })));
  const acks = await Promise.all(clients.map((c) => c.subscribe(stageId)));
  expect(acks.filter((a) => !a.ok)).toEqual([]);
  return clients;
}

describe('fan-out across gateway replicas', () => {
  it('delivers a message published once to the subscribers on every replica, and a socket event on one reaches the other', async () => {
    const stageId = 1;
    const ann = user(2);
    const bob = user(3);
    stages.addStage(stageId, HOST, ann, bob);
    const [onFirst, onSecond] = await subscribers(stageId, [ann, bob], (i) => urls[i]);
    try {
      const chat = chatMessage(stageId, HOST, 'to both replicas');
      await publishRealtime(bed.nc, stageId, 'chat:message', chat);
      expect((await onFirst.waitFor('chat:message')).payload).toEqual(chat);
      expect((await onSecond.waitFor('chat:message')).payload).toEqual(chat);

      const ack = await onSecond.emitAck('chat:send', { stageId, message: 'from the second replica' });
      expect(ack.ok).toBe(true);
      expect((await onFirst.waitFor('chat:message', (m: { id: number }) => m.id === ack.message.id)).payload).toEqual(ack.message);

      // A kick reaches the kicked user's sockets on whichever replica holds them.
      await publishRealtime(bed.nc, stageId, 'participant:kicked', { stageId, userId: bob.id });
      await onFirst.waitFor('participant:kicked');
      await onSecond.waitFor('participant:kicked');
      await publishRealtime(bed.nc, stageId, 'chat:message', chatMessage(stageId, HOST, 'after the kick', 99));
      await onFirst.waitFor('chat:message', (m: { id: number }) => m.id === 99);
      await onSecond.roundTrip();
      expect(onSecond.payloads('chat:message').map((m) => (m as { id: number }).id)).not.toContain(99);
    } finally {
      onFirst.close();
      onSecond.close();
    }
  });

  it('delivers one message to 300 subscribers spread over both replicas, exactly once each', async () => {
    const stageId = 2;
    const users = Array.from({ length: 300 }, (_, i) => user(1000 + i));
    stages.addStage(stageId, HOST, ...users);
    const clients = await subscribers(stageId, users, (i) => urls[i % 2]);
    const bystander = await RealtimeTestClient.connect(urls[0], { token: accessToken(HOST) });
    try {
      const chat = chatMessage(stageId, HOST, 'hello, everyone');
      await publishRealtime(bed.nc, stageId, 'chat:message', chat);
      await Promise.all(clients.map((c) => c.waitFor('chat:message')));
      await Promise.all(clients.map((c) => c.roundTrip()));
      for (const client of clients) expect(client.payloads('chat:message')).toEqual([chat]);
      await bystander.roundTrip();
      expect(bystander.received).toEqual([]);
    } finally {
      for (const client of [...clients, bystander]) client.close();
    }
  });
});
