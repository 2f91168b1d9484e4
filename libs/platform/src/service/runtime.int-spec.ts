import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Inject, Module } from '@nestjs/common';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineEntity, p } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, type UserDto } from '@octave/contracts';
import { connectNats, RpcClient, RpcHandler } from '../bus/index.js';
import { eventsTablesSql, type Outbox } from '../events/index.js';
import { createLogger } from '../observability/index.js';
import { startTestInfra, type TestInfra } from '../testing/index.js';
import { loadConfig } from '../config/index.js';
import { OUTBOX } from './tokens.js';
import { serviceConfigShape, startService, type RunningService, type ServiceConfig } from './runtime.js';

const logger = createLogger('test', { level: 'silent' });

const Thing = defineEntity({ name: 'Thing', tableName: 'things', schema: 'fake', properties: { id: p.integer().primary() } });

/** A one-subject stand-in service: registering records an event, as real services do. */
@Controller()
class FakeController {
  constructor(
    private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'identity'>,
  ) {}

  @RpcHandler('identity.user.get')
  async get(req: { id: number }): Promise<UserDto> {
    await this.em.transactional(async (em) => {
      await this.outbox.record(em, 'user.registered', { userId: req.id, username: 'fake' });
    });
    return { id: req.id, username: 'fake', avatarUrl: null, bio: null, friendsCount: 0, followingCount: 0, followersCount: 0, createdAt: new Date(0).toISOString() };
  }
}

@Module({ controllers: [FakeController] })
class FakeModule {}

describe(startService.name, () => {
  let infra: TestInfra;
  let dir: string;
  let service: RunningService<ServiceConfig>;
  let nc: NatsConnection;
  let rpc: RpcClient;

  beforeAll(async () => {
    infra = await startTestInfra('runtime');
    dir = await mkdtemp(path.join(tmpdir(), 'octave-runtime-'));
    await writeFile(path.join(dir, '0001_init.sql'), `CREATE TABLE things (id int PRIMARY KEY);\n${eventsTablesSql('fake')}`);
    const config = loadConfig(serviceConfigShape(0), { ...infra.env, LOG_LEVEL: 'silent' });
    service = await startService(
      { name: 'identity', schema: 'fake', migrationsDir: dir, entities: [Thing], module: FakeModule },
      config,
      { logger },
    );
    nc = await connectNats(infra.nats.url, 'test', logger);
    rpc = new RpcClient(nc, 2000);
  });
  afterAll(async () => {
    await nc?.drain();
    await infra?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers its health ping over the bus with its checks', async () => {
    const report = await rpc.call('identity.health.ping', {});
    expect(report).toMatchObject({ service: 'identity', status: 'up', checks: { database: { status: 'up' }, nats: { status: 'up' } } });
  });

  it('serves liveness, readiness and metrics on its health port', async () => {
    const base = `http://127.0.0.1:${service.health.port}`;
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/rpc_server_duration_seconds_count\{subject="identity.health.ping"/);
  });

  it('publishes what the last request recorded when it shuts down, then stops answering', async () => {
    await service.relay.stop(); // hold the relay so only the shutdown flush can publish
    await rpc.call('identity.user.get', { id: 41 });
    await service.close();
    const jsm = await jetstreamManager(nc);
    const msg = await jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: 'identity.events.user.registered' });
    expect(msg?.json<{ data: { userId: number } }>().data.userId).toBe(41);
    await expect(rpc.call('identity.health.ping', {})).rejects.toMatchObject({ status: 503 });
  });
});
