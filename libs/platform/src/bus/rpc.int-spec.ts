import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HealthReport, UserDto } from '@octave/contracts';
import { createLogger, currentCorrelationId, runWithCorrelation } from '../observability/index.js';
import { startNatsServer, type NatsServerHandle } from '../testing/index.js';
import { connectNats } from './connect.js';
import { DomainError, RpcCallError } from './errors.js';
import { RpcClient } from './rpc-client.js';
import { RpcHandler } from './server.js';
import { createMicroservice } from './service.js';

const logger = createLogger('test', { level: 'silent' });
const seenCorrelationIds: (string | undefined)[] = [];

@Controller()
class FakeIdentityController {
  @RpcHandler('identity.user.get')
  async get(req: { id: number }): Promise<UserDto> {
    seenCorrelationIds.push(currentCorrelationId());
    if (req.id === 404) throw DomainError.notFound('USER_NOT_FOUND', `user ${req.id} not found`);
    if (req.id === 500) throw new Error('boom: secret internals');
    if (req.id === 999) await new Promise((r) => setTimeout(r, 1500));
    if (req.id === 998) await new Promise((r) => setTimeout(r, 300));
    return {
      id: req.id,
      username: 'ada',
      avatarUrl: null,
      bio: null,
      friendsCount: 0,
      followingCount: 0,
      followersCount: 0,
      createdAt: new Date(0).toISOString(),
    };
  }

  @RpcHandler('identity.health.ping')
  ping(): HealthReport {
    return { service: 'identity', status: 'up', checks: {} };
  }
}

@Module({ controllers: [FakeIdentityController] })
class FakeIdentityModule {}

describe('RPC over NATS (RpcClient ↔ NestJS microservice)', () => {
  let nats: NatsServerHandle;
  let app: INestMicroservice;
  let nc: NatsConnection;
  let rpc: RpcClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    app = await createMicroservice(FakeIdentityModule, { service: 'identity', natsUrl: nats.url, logger });
    await app.listen();
    nc = await connectNats(nats.url, 'test-client', logger);
    rpc = new RpcClient(nc, 500);
  });
  afterAll(async () => {
    await nc?.drain();
    await app?.close();
    await nats?.dispose();
  });

  it('returns the handler result', async () => {
    await expect(rpc.call('identity.user.get', { id: 7 })).resolves.toMatchObject({ id: 7, username: 'ada' });
  });

  it('carries the caller correlation id to the handler', async () => {
    await runWithCorrelation('corr-123', () => rpc.call('identity.user.get', { id: 8 }));
    expect(seenCorrelationIds).toContain('corr-123');
  });

  it('turns a domain error into an RpcCallError with its code and status', async () => {
    const err = await rpc.call('identity.user.get', { id: 404 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcCallError);
    expect(err).toMatchObject({ code: 'USER_NOT_FOUND', status: 404, details: 'user 404 not found' });
  });

  it('hides unexpected errors behind a 500 envelope', async () => {
    const err = await rpc.call('identity.user.get', { id: 500 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INTERNAL_ERROR', status: 500, details: 'internal error' });
  });

  it('answers 504 when the service does not answer in time', async () => {
    const err = await rpc.call('identity.user.get', { id: 999 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BUS_TIMEOUT', status: 504 });
  });

  it('answers 503 at once when no service serves the subject', async () => {
    const err = await rpc.call('identity.user.search', { limit: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });

  // Last: it closes the service.
  it('answers the requests in flight when it closes, then takes no more', async () => {
    const slow = () => rpc.call('identity.user.get', { id: 998 }, { timeoutMs: 2000 });
    const inFlight = [slow(), slow()];
    await new Promise((r) => setTimeout(r, 50)); // delivered, and sleeping in the handler
    await app.close();
    await expect(Promise.all(inFlight)).resolves.toMatchObject([{ id: 998 }, { id: 998 }]);
    await expect(rpc.call('identity.user.get', { id: 7 })).rejects.toMatchObject({ status: 503 });
  });
});
