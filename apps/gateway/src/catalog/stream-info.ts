import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SongStreamInfo } from '@octave/contracts';
import { RpcClient } from '@octave/platform/bus';
import { ExpiringCache } from '@octave/platform/cache';
import { followEvents, type FollowedEvents } from '@octave/platform/events';
import type { Logger } from '@octave/platform/observability';
import { LOGGER, NATS_CONNECTION } from '../tokens.js';

/**
 * How long the gateway streams a song from what it last heard from the catalog. A
 * song's key, type and size never change; what does happen is deletion, and that is
 * forgotten at once (see `StreamInfoCache`): the TTL only bounds the damage of a bug.
 */
export const STREAM_INFO_TTL_MS = 30_000;
/** About 200 bytes each: a few MiB at most. */
const STREAM_INFO_MAX_ENTRIES = 10_000;

/**
 * Where each song's audio is (`catalog.song.streamInfo`), kept for `STREAM_INFO_TTL_MS`:
 * a player reads one song in many range requests, and asking the catalog (an RPC and a
 * database read) for each was most of the cost of a range read.
 *
 * A deleted song stops streaming at once, in three ways: the catalog removes its audio
 * before answering the delete, so the store answers 404 (and the entry is dropped); the
 * catalog's `song.deleted` event drops the entry on every gateway replica; and since a
 * plain subscription misses events while NATS is away, every disconnection and
 * reconnection drops all entries. Unknown songs and errors are not kept.
 */
@Injectable()
export class StreamInfoCache implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new ExpiringCache<number, SongStreamInfo>({
    ttlMs: STREAM_INFO_TTL_MS,
    maxEntries: STREAM_INFO_MAX_ENTRIES,
  });
  private followed?: FollowedEvents;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.followed = await followEvents(this.nc, 'catalog', 'song.deleted', (event) => this.cache.delete(event.data.songId), {
      onGap: () => this.cache.clear(),
      logger: this.logger,
    });
  }

  onModuleDestroy(): void {
    this.followed?.close();
  }

  /** Throws the catalog's errors (404 for an unknown song) as `rpc.call` does. */
  get(id: number): Promise<SongStreamInfo> {
    return this.cache.get(id, () => this.rpc.call('catalog.song.streamInfo', { id }));
  }

  /** The store no longer has the song's audio: ask the catalog next time. */
  forget(id: number): void {
    this.cache.delete(id);
  }
}
