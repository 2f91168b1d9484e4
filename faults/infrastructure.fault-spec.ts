// NATS and PostgreSQL crash and come back under a mixed load. The system runs on its
// own nats-server and its own PostgreSQL cluster (initdb, another port), so the
// machine's shared servers are never touched.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICES } from '@octave/contracts';
import type { System } from '../e2e/src/support/system.js';
import {
  expectFastFailures,
  expectNothingLostNorDoubled,
  makeWorld,
  MixedLoad,
  probePath,
  RECOVERY_MS,
  startFaultSystem,
  waitRecovered,
  type World,
} from './support/harness.js';

let system: System;
let world: World;

beforeAll(async () => {
  system = await startFaultSystem('infrastructure', { privatePostgres: true });
  world = await makeWorld(system.api);
}, 120_000);

afterAll(async () => {
  await system?.stop();
}, 60_000);

/**
 * Runs the load, takes `down` away for a while (every service's route must fail fast
 * meanwhile), brings it back, and checks recovery and exactness.
 */
async function underLoad(down: () => Promise<void>, up: () => Promise<void>): Promise<void> {
  const { api } = system;
  const token = world.users[0].accessToken;
  const load = await MixedLoad.prepare(api, world);
  const probes = SERVICES.map((s) => probePath(s, world, load));
  load.start();
  try {
    await sleep(1_500);
    await down();
    await expectFastFailures(api, probes, token, 2_000);
    await up();
    const recoveredMs = await waitRecovered(api, probes, token, RECOVERY_MS);
    process.stdout.write(`every route answers again ${recoveredMs} ms after the restart\n`);
    await sleep(1_000);
  } finally {
    await load.stop();
  }
  await expectNothingLostNorDoubled(system, load, world);
}

describe('NATS killed and restarted under a mixed load', () => {
  it('fails fast while the bus is down, recovers, and the outbox publishes what was committed meanwhile', async () => {
    const { nats } = system.infra;
    await underLoad(
      () => nats.stop(true),
      () => nats.start(),
    );
  });
});

describe('PostgreSQL crashed and restarted under a mixed load', () => {
  it('answers 503 (never 500) while the database is down, recovers, and loses or doubles nothing', async () => {
    const postgres = system.infra.postgres!;
    await underLoad(
      () => postgres.stop('immediate'),
      () => postgres.start(),
    );
  });
});
