import { randomUUID } from 'node:crypto';
import { Controller, type DynamicModule, Inject, type INestMicroservice, Module } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  type Actor,
  type BlockStatusDto,
  type CatalogEvents,
  EVENTS_STREAM,
  eventSubject,
  type EventEnvelope,
  type GenreDto,
  type HealthReport,
  type IdentityEvents,
  type PlaylistsEvents,
  type PlaylistSummaryDto,
  type RpcRequest,
  type ServiceName,
  type SongDto,
  STAGE_REALTIME_WILDCARD,
  type StageRealtimeEvent,
  type StageRealtimeMessage,
  type UserDto,
} from '@octave/contracts';
import { createMicroservice, DomainError, RpcClient, RpcHandler } from '@octave/platform/bus';
import { createLogger } from '@octave/platform/observability';
import { startService, type RunningService } from '@octave/platform/service';
import { startTestInfra, type TestInfra } from '@octave/platform/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { stagesService } from '../app.js';
import { loadStagesConfig, type StagesConfig } from '../config.js';

/** What the stand-ins for the other services know; tests change it directly. */
export class FakeWorld {
  readonly users = new Map<number, UserDto>();
  readonly genres = new Map<number, GenreDto>();
  readonly songs = new Map<number, SongDto>();
  readonly playlists = new Map<number, PlaylistSummaryDto & { songIds: number[] }>();
  /** `blocker:blocked` */
  readonly blocks = new Set<string>();
  readonly friends = new Map<number, Set<number>>();
  /** Calls received, by subject. */
  readonly calls = new Map<string, number>();

  count(subject: string): void {
    this.calls.set(subject, (this.calls.get(subject) ?? 0) + 1);
  }
}

const WORLD = Symbol('WORLD');

/** Identity, social, catalog and playlists as the stages service sees them, on the real bus. */
@Controller()
class FakeNeighboursController {
  constructor(@Inject(WORLD) private readonly world: FakeWorld) {}

  @RpcHandler('identity.user.getMany')
  users(req: RpcRequest<'identity.user.getMany'>): UserDto[] {
    this.world.count('identity.user.getMany');
    return [...new Set(req.ids)].flatMap((id) => this.world.users.get(id) ?? []);
  }

  @RpcHandler('social.block.check')
  blockCheck(req: RpcRequest<'social.block.check'>): BlockStatusDto {
    const userBlocksOther = this.world.blocks.has(`${req.userId}:${req.otherUserId}`);
    const otherBlocksUser = this.world.blocks.has(`${req.otherUserId}:${req.userId}`);
    return { blocked: userBlocksOther || otherBlocksUser, userBlocksOther, otherBlocksUser };
  }

  @RpcHandler('social.friends.ids')
  friendIds(req: RpcRequest<'social.friends.ids'>): { ids: number[] } {
    return { ids: [...(this.world.friends.get(req.userId) ?? [])] };
  }

  @RpcHandler('catalog.genre.list')
  genres(): GenreDto[] {
    return [...this.world.genres.values()];
  }

  @RpcHandler('catalog.song.getMany')
  songs(req: RpcRequest<'catalog.song.getMany'>): SongDto[] {
    this.world.count('catalog.song.getMany');
    return [...new Set(req.ids)].flatMap((id) => this.world.songs.get(id) ?? []);
  }

  @RpcHandler('playlists.playlist.getMany')
  playlists(req: RpcRequest<'playlists.playlist.getMany'>): PlaylistSummaryDto[] {
    return [...new Set(req.ids)].flatMap((id) => {
      const p = this.world.playlists.get(id);
      return p ? [{ id: p.id, name: p.name, ownerId: p.ownerId }] : [];
    });
  }

  @RpcHandler('playlists.playlist.songIds')
  songIds(req: RpcRequest<'playlists.playlist.songIds'>): { id: number; songIds: number[] } {
    const p = this.world.playlists.get(req.id);
    if (!p) throw DomainError.notFound('PLAYLIST_NOT_FOUND', `playlist ${req.id} not found`);
    return { id: p.id, songIds: [...p.songIds] };
  }

  @RpcHandler('identity.health.ping')
  ping(): HealthReport {
    return { service: 'fakes', status: 'up', checks: {} };
  }
}

@Module({})
class FakeNeighboursModule {
  static register(world: FakeWorld): DynamicModule {
    return { module: FakeNeighboursModule, controllers: [FakeNeighboursController], providers: [{ provide: WORLD, useValue: world }] };
  }
}

/** Realtime messages the service published, in order, as every gateway receives them. */
export class RealtimeRecorder {
  readonly messages: StageRealtimeMessage[] = [];
  private readonly sub: Subscription;

  constructor(nc: NatsConnection) {
    this.sub = nc.subscribe(STAGE_REALTIME_WILDCARD, {
      callback: (err, msg) => {
        if (!err) this.messages.push(msg.json<StageRealtimeMessage>());
      },
    });
  }

  of<E extends StageRealtimeEvent>(stageId: number, event: E): StageRealtimeMessage<E>[] {
    return this.messages.filter((m): m is StageRealtimeMessage<E> => m.stageId === stageId && m.event === event);
  }

  /** The first message of `event` for the stage that matches, waiting for it if need be. */
  async next<E extends StageRealtimeEvent>(
    stageId: number,
    event: E,
    match: (m: StageRealtimeMessage<E>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<StageRealtimeMessage<E>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(stageId, event).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${event} for stage ${stageId} within ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  close(): void {
    this.sub.unsubscribe();
  }
}

export interface StagesHarness {
  infra: TestInfra;
  world: FakeWorld;
  /** The first instance of the service. */
  service: RunningService<StagesConfig>;
  /** A caller's own connection, as the gateway has. */
  nc: NatsConnection;
  rpc: RpcClient;
  realtime: RealtimeRecorder;
  addUser(): Actor;
  addGenre(name?: string): GenreDto;
  addSong(durationMs?: number): number;
  addPlaylist(songIds: number[], name?: string): number;
  /** Another instance of the service on the same database and bus (a replica). */
  startInstance(): Promise<RunningService<StagesConfig>>;
  /** Publishes an event of another service on the real JetStream stream. */
  publish<S extends 'identity' | 'catalog' | 'playlists', T extends keyof EventsOf<S>>(
    service: S,
    type: T,
    data: EventsOf<S>[T],
    opts?: { occurredAt?: Date },
  ): Promise<void>;
  /** Resolves once the durable consumer has handled every event published so far. */
  eventsHandled(durable: string): Promise<void>;
  stop(): Promise<void>;
}

type EventsOf<S extends ServiceName> = S extends 'identity'
  ? IdentityEvents
  : S extends 'catalog'
    ? CatalogEvents
    : S extends 'playlists'
      ? PlaylistsEvents
      : never;

let nextId = 5000;
const id = () => nextId++;

/**
 * The stages service in this process on real infrastructure (PostgreSQL, NATS with
 * JetStream, the S3 server), with stand-ins for the services it calls. `env` overrides
 * its configuration (e.g. a small `MAX_STAGE_PARTICIPANTS`).
 */
export async function startStagesHarness(label: string, env: Record<string, string> = {}): Promise<StagesHarness> {
  const infra = await startTestInfra(label);
  const world = new FakeWorld();
  const logger = createLogger('stages', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const config = loadStagesConfig({ ...infra.env, HEALTH_PORT: '0', PLAYBACK_POLL_MS: '50', ...env });
  const instances: RunningService<StagesConfig>[] = [];
  const startInstance = async () => {
    const instance = await startService(stagesService, config, { logger });
    instances.push(instance);
    return instance;
  };
  let fakes: INestMicroservice | undefined;
  let nc: NatsConnection | undefined;
  try {
    fakes = await createMicroservice(FakeNeighboursModule.register(world), { service: 'identity', natsUrl: infra.nats.url, logger });
    await fakes.listen();
    await startInstance();
    nc = await connect({ servers: infra.nats.url });
  } catch (err) {
    for (const instance of instances) await instance.close();
    await fakes?.close();
    await infra.stop();
    throw err;
  }
  const client = nc;
  const js = jetstream(client);
  const realtime = new RealtimeRecorder(client);

  return {
    infra,
    world,
    service: instances[0],
    nc: client,
    rpc: new RpcClient(client, 15_000),
    realtime,
    addUser: () => {
      const userId = id();
      const username = `user${userId}`;
      world.users.set(userId, {
        id: userId,
        username,
        avatarUrl: `http://avatars.test/${userId}.png`,
        bio: null,
        friendsCount: 0,
        followingCount: 0,
        followersCount: 0,
        createdAt: new Date().toISOString(),
      });
      return { id: userId, username };
    },
    addGenre: (name) => {
      const genre = { id: id(), name: name ?? `genre${nextId}` };
      world.genres.set(genre.id, genre);
      return genre;
    },
    addSong: (durationMs = 180_000) => {
      const songId = id();
      world.songs.set(songId, {
        id: songId,
        title: `song ${songId}`,
        artist: 'artist',
        durationMs,
        mimeType: 'audio/mpeg',
        sizeBytes: 1000,
        genres: [],
        uploader: { id: 1, username: 'uploader' },
        streamUrl: `/api/songs/${songId}/stream`,
        createdAt: new Date().toISOString(),
      });
      return songId;
    },
    addPlaylist: (songIds, name) => {
      const playlistId = id();
      world.playlists.set(playlistId, { id: playlistId, name: name ?? `playlist ${playlistId}`, ownerId: 1, songIds });
      return playlistId;
    },
    startInstance,
    publish: async (service, type, data, opts = {}) => {
      const occurredAt = (opts.occurredAt ?? new Date()).toISOString();
      const envelope: EventEnvelope = { id: randomUUID(), type: String(type), occurredAt, version: 1, data };
      await js.publish(eventSubject(service, String(type)), JSON.stringify(envelope), { msgID: envelope.id });
    },
    eventsHandled: async (durable) => {
      const jsm = await jetstreamManager(client);
      const deadline = Date.now() + 15_000;
      for (;;) {
        const info = await jsm.consumers.info(EVENTS_STREAM, durable);
        if (info.num_pending === 0 && info.num_ack_pending === 0) return;
        if (Date.now() > deadline) throw new Error(`stages did not handle the events of ${durable} in time`);
        await sleep(25);
      }
    },
    stop: async () => {
      realtime.close();
      await client.drain();
      for (const instance of instances) await instance.close().catch(() => undefined);
      await fakes?.close();
      await infra.stop();
    },
  };
}
