// kill -9 of each service under a mixed load, and of a consumer in the middle of its
// messages: the gateway answers at once while a service is down, recovers after the
// restart, and every counter, position and message is exact afterwards.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EVENTS_STREAM, SERVICES } from '@octave/contracts';
import type { System } from '../e2e/src/support/system.js';
import {
  expectCountersExact,
  expectFastFailures,
  expectNothingLostNorDoubled,
  makeWorld,
  MixedLoad,
  probePath,
  expectRecovery,
  startFaultSystem,
  type World,
} from './support/harness.js';

let system: System;
let world: World;

beforeAll(async () => {
  system = await startFaultSystem('services');
  world = await makeWorld(system.api);
}, 120_000);

afterAll(async () => {
  await system?.stop();
}, 60_000);

describe.each(SERVICES)('kill -9 %s under a mixed load', (service) => {
  it('answers 503/504 at once while it is down, recovers after the restart, loses and doubles nothing', async () => {
    const { api } = system;
    const token = world.users[0].accessToken;
    const load = await MixedLoad.prepare(api, world);
    const probe = probePath(service, world, load);
    load.start();
    try {
      await sleep(1_500);
      await system.apps[service].kill();
      await expectFastFailures(api, [probe], token);

      await system.restart(service);
      const { bootMs, gatewayMs } = await expectRecovery(system, service, [probe], token);
      process.stdout.write(`${service}: back ${bootMs} ms after the restart, its routes ${gatewayMs} ms later\n`);
      await sleep(1_000);
    } finally {
      await load.stop();
    }
    await expectNothingLostNorDoubled(system, load, world);
  });
});

describe('a consumer killed in the middle of its messages', () => {
  it('gets them again and handles each once: the counters are exact, not doubled', async () => {
    const { api } = system;
    const { users } = world;
    // Identity is frozen (SIGSTOP) so that the events of the follows below reach its
    // counters consumer and stay there unacknowledged; then it is killed.
    process.kill(system.apps.identity.pid, 'SIGSTOP');
    const actions = Array.from({ length: 50 }, (_, i) => {
      const a = users[i % users.length];
      const b = users[(users.indexOf(a) + 1 + (i % (users.length - 1))) % users.length];
      return { a, b, follow: i % 3 !== 2 };
    });
    const answers = await Promise.all(
      actions.map(({ a, b, follow }) =>
        follow
          ? api.put(`/api/users/${b.user.id}/follow`, undefined, { token: a.accessToken })
          : api.delete(`/api/users/${b.user.id}/follow`, undefined, { token: a.accessToken }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 204));
    expect(await ackPending(COUNTERS_CONSUMER)).toBeGreaterThan(0);
    await system.apps.identity.kill();

    await system.restart('identity');
    await system.waitReady(30_000);
    await expectCountersExact(api, users);
    expect(await ackPending(COUNTERS_CONSUMER)).toBe(0);
  });
});

const COUNTERS_CONSUMER = 'identity-social-counters';

/** Messages JetStream has delivered to the durable consumer and not had acknowledged, polled for up to 5 s until some are. */
async function ackPending(durable: string): Promise<number> {
  const nc = await connect({ servers: system.infra.nats.url, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    const deadline = Date.now() + 5_000;
    for (;;) {
      const info = await jsm.consumers.info(EVENTS_STREAM, durable);
      if (info.num_ack_pending > 0 || Date.now() > deadline) return info.num_ack_pending;
      await sleep(100);
    }
  } finally {
    await nc.close();
  }
}
