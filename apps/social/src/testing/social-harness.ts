import { randomUUID } from 'node:crypto';
import { Controller, Inject, type INestMicroservice, Module, type DynamicModule } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type Actor,
  EVENTS_STREAM,
  eventSubject,
  type EventEnvelope,
  type HealthReport,
  type IdentityEvents,
  type RpcRequest,
  type SocialEvents,
  type UserDto,
} from '@octave/contracts';
import { createMicroservice, DomainError, RpcClient, RpcHandler } from '@octave/platform/bus';
import { createLogger } from '@octave/platform/observability';
import { startService, type RunningService } from '@octave/platform/service';
import { startTestInfra, type TestInfra } from '@octave/platform/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { socialService } from '../app.js';
import { loadSocialConfig } from '../config.js';
import { USERS_CONSUMER } from '../users/user-events.js';

const IDENTITY_USERS = Symbol('IDENTITY_USERS');

/**
 * Identity as the social service sees it: the profiles it answers for over the real
 * bus, and the user events it publishes on the real JetStream stream.
 */
@Controller()
class FakeIdentityController {
  constructor(@Inject(IDENTITY_USERS) private readonly users: Map<number, UserDto>) {}

  @RpcHandler('identity.user.getMany')
  getMany(req: RpcRequest<'identity.user.getMany'>): UserDto[] {
    return [...new Set(req.ids)].flatMap((id) => this.users.get(id) ?? []);
  }

  @RpcHandler('identity.user.get')
  get(req: RpcRequest<'identity.user.get'>): UserDto {
    const user = this.users.get(req.id);
    if (!user) throw DomainError.notFound('USER_NOT_FOUND', `user ${req.id} not found`);
    return user;
  }

  @RpcHandler('identity.health.ping')
  ping(): HealthReport {
    return { service: 'identity', status: 'up', checks: {} };
  }
}

@Module({})
class FakeIdentityModule {
  static register(users: Map<number, UserDto>): DynamicModule {
    return {
      module: FakeIdentityModule,
      controllers: [FakeIdentityController],
      providers: [{ provide: IDENTITY_USERS, useValue: users }],
    };
  }
}

export interface SocialHarness {
  infra: TestInfra;
  service: RunningService;
  /** A caller's own connection, as the gateway has. */
  nc: NatsConnection;
  rpc: RpcClient;
  /**
   * A new user known to identity. `announce: false` leaves out its `user.registered`
   * event, as for accounts older than the social service.
   */
  addUser(opts?: { announce?: boolean }): Promise<Actor>;
  /** Deletes the user at identity and publishes `user.deleted`. */
  deleteUser(id: number): Promise<void>;
  /** The social events recorded so far that concern any of `userIds`, oldest first. */
  events(...userIds: number[]): Promise<SocialEventRecord[]>;
  /** Resolves once the social service has handled every identity event published so far. */
  identityEventsHandled(): Promise<void>;
  stop(): Promise<void>;
}

/** A recorded event, narrowed by its type. */
export type SocialEventRecord = { [T in keyof SocialEvents]: { type: T; data: SocialEvents[T] } }[keyof SocialEvents];

let nextId = 1000;

/** The fields of social events that hold user ids. */
const USER_FIELDS = ['requesterId', 'addresseeId', 'followerId', 'followeeId', 'blockerId', 'blockedId'];

/** The social service in this process on real infrastructure, with a stand-in identity. */
export async function startSocialHarness(label: string): Promise<SocialHarness> {
  const infra = await startTestInfra(label);
  const users = new Map<number, UserDto>();
  const logger = createLogger('social', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  let identity: INestMicroservice | undefined;
  let service: RunningService | undefined;
  let nc: NatsConnection | undefined;
  try {
    identity = await createMicroservice(FakeIdentityModule.register(users), {
      service: 'identity',
      natsUrl: infra.nats.url,
      logger,
    });
    await identity.listen();
    service = await startService(socialService, loadSocialConfig({ ...infra.env, HEALTH_PORT: '0' }), { logger });
    nc = await connect({ servers: infra.nats.url });
  } catch (err) {
    await service?.close();
    await identity?.close();
    await infra.stop();
    throw err;
  }
  const client = nc;
  const started = service;
  const js = jetstream(client);

  const publish = async <T extends keyof IdentityEvents>(type: T, data: IdentityEvents[T]) => {
    const envelope: EventEnvelope<IdentityEvents[T]> = {
      id: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      version: 1,
      data,
    };
    await js.publish(eventSubject('identity', type), JSON.stringify(envelope), { msgID: envelope.id });
  };

  return {
    infra,
    service: started,
    nc: client,
    rpc: new RpcClient(client, 15_000),
    addUser: async (opts = {}) => {
      const id = nextId++;
      const username = `user${id}`;
      users.set(id, {
        id,
        username,
        avatarUrl: null,
        bio: null,
        friendsCount: 0,
        followingCount: 0,
        followersCount: 0,
        createdAt: new Date().toISOString(),
      });
      if (opts.announce ?? true) await publish('user.registered', { userId: id, username });
      return { id, username };
    },
    deleteUser: async (id) => {
      users.delete(id);
      await publish('user.deleted', { userId: id });
    },
    events: async (...userIds) => {
      const rows = await started.orm.em
        .fork()
        .execute<{ envelope: EventEnvelope }[]>('SELECT envelope FROM social.outbox ORDER BY seq');
      const ids = new Set(userIds);
      return rows
        .map(({ envelope }) => ({ type: envelope.type, data: envelope.data }) as SocialEventRecord)
        .filter((e) => USER_FIELDS.some((f) => ids.has((e.data as Record<string, unknown>)[f] as number)));
    },
    identityEventsHandled: async () => {
      const jsm = await jetstreamManager(client);
      const deadline = Date.now() + 15_000;
      for (;;) {
        const info = await jsm.consumers.info(EVENTS_STREAM, USERS_CONSUMER);
        if (info.num_pending === 0 && info.num_ack_pending === 0) return;
        if (Date.now() > deadline) throw new Error('social did not handle the identity events in time');
        await sleep(25);
      }
    },
    stop: async () => {
      await client.drain();
      await started.close();
      await identity?.close();
      await infra.stop();
    },
  };
}
