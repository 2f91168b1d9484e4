import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, type DynamicModule, Inject, type INestMicroservice, Module } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type Actor,
  EVENTS_STREAM,
  eventSubject,
  type EventEnvelope,
  type EventType,
  type EventData,
  type HealthReport,
  type RpcRequest,
  type ServiceName,
  type SongDto,
  type UserDto,
} from '@octave/contracts';
import { createMicroservice, RpcClient, RpcHandler } from '@octave/platform/bus';
import { createLogger } from '@octave/platform/observability';
import { startService, type RunningService } from '@octave/platform/service';
import { ObjectStore, stageUpload } from '@octave/platform/storage';
import { startTestInfra, type TestInfra } from '@octave/platform/testing';
import { playlistsService } from '../app.js';
import { loadPlaylistsConfig, type PlaylistsConfig } from '../config.js';
import { USER_DELETED_CONSUMER, USER_UPDATED_CONSUMER } from '../owners/identity-events.js';
import { SONG_DELETED_CONSUMER } from '../songs/catalog-events.js';

/** What the stand-ins for the catalog and identity know, shared with the test. */
interface FakeWorld {
  songs: Map<number, SongDto>;
  users: Map<number, UserDto>;
  /** The ids of every `catalog.song.getMany` call, in order. */
  songCalls: number[][];
}

const WORLD = Symbol('WORLD');

/** The catalog as the playlists service sees it, on the real bus. */
@Controller()
class FakeCatalogController {
  constructor(@Inject(WORLD) private readonly world: FakeWorld) {}

  @RpcHandler('catalog.song.getMany')
  getMany(req: RpcRequest<'catalog.song.getMany'>): SongDto[] {
    this.world.songCalls.push(req.ids);
    return [...new Set(req.ids)].flatMap((id) => this.world.songs.get(id) ?? []);
  }

  @RpcHandler('catalog.health.ping')
  ping(): HealthReport {
    return { service: 'catalog', status: 'up', checks: {} };
  }
}

/** Identity as the playlists service sees it, on the real bus. */
@Controller()
class FakeIdentityController {
  constructor(@Inject(WORLD) private readonly world: FakeWorld) {}

  @RpcHandler('identity.user.getMany')
  getMany(req: RpcRequest<'identity.user.getMany'>): UserDto[] {
    return [...new Set(req.ids)].flatMap((id) => this.world.users.get(id) ?? []);
  }

  @RpcHandler('identity.health.ping')
  ping(): HealthReport {
    return { service: 'identity', status: 'up', checks: {} };
  }
}

@Module({})
class FakeServiceModule {
  static register(controller: DynamicModule['controllers'], world: FakeWorld): DynamicModule {
    return { module: FakeServiceModule, controllers: controller, providers: [{ provide: WORLD, useValue: world }] };
  }
}

export interface PlaylistsHarness {
  infra: TestInfra;
  service: RunningService<PlaylistsConfig>;
  /** A caller's own connection, as the gateway has. */
  nc: NatsConnection;
  rpc: RpcClient;
  store: ObjectStore;
  /** Every `catalog.song.getMany` the service made, oldest first (clear it with `length = 0`). */
  songCalls: number[][];
  /** A new user known to identity (no event: the service learns the name from the token). */
  addUser(): Actor;
  /** Renames the user at identity and publishes `user.updated`. */
  renameUser(id: number, username: string): Promise<void>;
  /** Deletes the user at identity and publishes `user.deleted`. */
  deleteUser(id: number): Promise<void>;
  /** A new song in the catalog. */
  addSong(fields?: Partial<Pick<SongDto, 'durationMs' | 'title'>>): SongDto;
  /** Deletes the song from the catalog and publishes `song.deleted`, as the catalog does. */
  deleteSong(id: number): Promise<void>;
  /** Deletes the song from the catalog without (yet) publishing its event. */
  hideSong(id: number): void;
  /** Makes the catalog answer for `song` again, as a stale replica would after its deletion. */
  putSong(song: SongDto): void;
  /** Resolves once the service has handled every identity and catalog event published so far. */
  eventsHandled(): Promise<void>;
  /** The events the service recorded in its outbox, oldest first. */
  recorded(): Promise<EventEnvelope[]>;
  /** Stages bytes as the gateway does, as an upload of `uploader`. */
  stage(bytes: Buffer, uploader: Actor): Promise<string>;
  stop(): Promise<void>;
}

let nextUserId = 5000;
let nextSongId = 9000;

/** The playlists service in this process on real infrastructure, with a stand-in catalog and identity. */
export async function startPlaylistsHarness(
  label: string,
  env: Record<string, string> = {},
): Promise<PlaylistsHarness> {
  const infra = await startTestInfra(label);
  const world: FakeWorld = { songs: new Map(), users: new Map(), songCalls: [] };
  const logger = createLogger('playlists', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const fakes: INestMicroservice[] = [];
  let service: RunningService<PlaylistsConfig> | undefined;
  let nc: NatsConnection | undefined;
  try {
    for (const [name, controller] of [
      ['catalog', FakeCatalogController],
      ['identity', FakeIdentityController],
    ] as const) {
      const app = await createMicroservice(FakeServiceModule.register([controller], world), {
        service: name,
        natsUrl: infra.nats.url,
        logger,
      });
      await app.listen();
      fakes.push(app);
    }
    service = await startService(playlistsService, loadPlaylistsConfig({ ...infra.env, HEALTH_PORT: '0', ...env }), {
      logger,
    });
    nc = await connect({ servers: infra.nats.url });
  } catch (err) {
    await service?.close();
    for (const app of fakes) await app.close();
    await infra.stop();
    throw err;
  }
  const client = nc;
  const started = service;
  const js = jetstream(client);
  const { endpoint, accessKey, secretKey, bucket } = infra.s3;
  const store = new ObjectStore({ endpoint, accessKey, secretKey, bucket });

  const publish = async <S extends ServiceName, T extends EventType<S>>(source: S, type: T, data: EventData<S, T>) => {
    const envelope: EventEnvelope<EventData<S, T>> = {
      id: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      version: 1,
      data,
    };
    await js.publish(eventSubject(source, type), JSON.stringify(envelope), { msgID: envelope.id });
  };

  return {
    infra,
    service: started,
    nc: client,
    rpc: new RpcClient(client, 15_000),
    store,
    songCalls: world.songCalls,
    addUser: () => {
      const id = nextUserId++;
      const username = `user${id}`;
      world.users.set(id, {
        id,
        username,
        avatarUrl: null,
        bio: null,
        friendsCount: 0,
        followingCount: 0,
        followersCount: 0,
        createdAt: new Date().toISOString(),
      });
      return { id, username };
    },
    renameUser: async (id, username) => {
      const user = world.users.get(id);
      if (user) user.username = username;
      await publish('identity', 'user.updated', { userId: id, username, fields: ['username'] });
    },
    deleteUser: async (id) => {
      world.users.delete(id);
      await publish('identity', 'user.deleted', { userId: id });
    },
    addSong: (fields = {}) => {
      const id = nextSongId++;
      const song: SongDto = {
        id,
        title: fields.title ?? `Song ${id}`,
        artist: 'Sox',
        durationMs: fields.durationMs ?? 1000 + id,
        mimeType: 'audio/mpeg',
        sizeBytes: 12_345,
        genres: [],
        uploader: { id: 1, username: 'uploader' },
        streamUrl: `/api/songs/${id}/stream`,
        createdAt: new Date().toISOString(),
      };
      world.songs.set(id, song);
      return song;
    },
    deleteSong: async (id) => {
      world.songs.delete(id);
      await publish('catalog', 'song.deleted', { songId: id, uploaderId: 1 });
    },
    hideSong: (id) => {
      world.songs.delete(id);
    },
    putSong: (song) => {
      world.songs.set(song.id, song);
    },
    eventsHandled: async () => {
      const jsm = await jetstreamManager(client);
      const deadline = Date.now() + 15_000;
      for (const durable of [USER_UPDATED_CONSUMER, USER_DELETED_CONSUMER, SONG_DELETED_CONSUMER]) {
        for (;;) {
          const info = await jsm.consumers.info(EVENTS_STREAM, durable);
          if (info.num_pending === 0 && info.num_ack_pending === 0) break;
          if (Date.now() > deadline) throw new Error(`playlists did not handle the events of ${durable} in time`);
          await sleep(25);
        }
      }
    },
    recorded: async () => {
      const rows = await started.orm.em
        .fork()
        .execute<{ envelope: EventEnvelope }[]>('SELECT envelope FROM playlists.outbox ORDER BY seq');
      return rows.map((r) => r.envelope);
    },
    stage: async (bytes, uploader) =>
      (await stageUpload(store, Readable.from([bytes]), { maxBytes: 1024 * 1024, uploaderId: uploader.id })).key,
    stop: async () => {
      await client.drain();
      await started.close();
      for (const app of fakes) await app.close();
      await infra.stop();
    },
  };
}
