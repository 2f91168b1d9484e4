import { Inject, Injectable } from '@nestjs/common';
import type { GenreDto, PlaylistSummaryDto, UserDto } from '@octave/contracts';
import { RpcCallError, RpcClient } from '@octave/platform/bus';
import { flattenQueue, type QueueItem } from '../playback/playback-clock.js';
import { genreNotFound, playlistNotFound } from '../stages/stages.errors.js';

/** The most ids identity and the catalog take in one `getMany`. */
const GET_MANY_MAX = 1000;

/**
 * What the stages service asks other services over the bus: the catalog (genres,
 * songs and their durations), playlists (the queue), social (blocks, friends) and
 * identity (profiles). Each method is one round of calls.
 */
@Injectable()
export class RemoteServices {
  constructor(@Inject(RpcClient) private readonly rpc: RpcClient) {}

  /** The genres of `ids` (each once, in the order given); 404 for an unknown one. */
  async requireGenres(ids: number[]): Promise<GenreDto[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const all = new Map((await this.rpc.call('catalog.genre.list', {})).map((g) => [g.id, g]));
    return wanted.map((id) => {
      const genre = all.get(id);
      if (!genre) throw genreNotFound(id);
      return genre;
    });
  }

  /** Summaries of `ids`, by id; unknown ones are left out. */
  async playlists(ids: number[]): Promise<Map<number, PlaylistSummaryDto>> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return new Map();
    const found = await this.rpc.call('playlists.playlist.getMany', { ids: wanted });
    return new Map(found.map((p) => [p.id, p]));
  }

  /** Summaries of `ids`, each once, in the order given; 404 for an unknown one. */
  async requirePlaylists(ids: number[]): Promise<PlaylistSummaryDto[]> {
    const found = await this.playlists(ids);
    return [...new Set(ids)].map((id) => {
      const playlist = found.get(id);
      if (!playlist) throw playlistNotFound(id);
      return playlist;
    });
  }

  /**
   * The stage's queue: the songs of its playlists, in order. A playlist deleted in the
   * meantime (its event still on the way) counts as empty.
   */
  async queue(playlists: { playlistId: number; position: number }[]): Promise<QueueItem[]> {
    const lists = await Promise.all(
      playlists.map(async ({ playlistId, position }) => {
        try {
          const { songIds } = await this.rpc.call('playlists.playlist.songIds', { id: playlistId });
          return { position, songIds };
        } catch (err) {
          if (err instanceof RpcCallError && err.status === 404) return { position, songIds: [] };
          throw err;
        }
      }),
    );
    return flattenQueue(lists);
  }

  /** Durations of the songs of `ids` that still exist, by id (at most 1000 ids). */
  async songDurations(ids: number[]): Promise<Map<number, number>> {
    const wanted = [...new Set(ids)].slice(0, GET_MANY_MAX);
    if (wanted.length === 0) return new Map();
    const songs = await this.rpc.call('catalog.song.getMany', { ids: wanted });
    return new Map(songs.map((s) => [s.id, s.durationMs]));
  }

  /** Whether the host has blocked the user. */
  async hostBlocks(hostId: number, userId: number): Promise<boolean> {
    const status = await this.rpc.call('social.block.check', { userId: hostId, otherUserId: userId });
    return status.userBlocksOther;
  }

  async friendIds(userId: number): Promise<number[]> {
    return (await this.rpc.call('social.friends.ids', { userId })).ids;
  }

  /** Profiles of `ids` that identity knows, by id: one call per thousand ids. */
  async profiles(ids: number[]): Promise<Map<number, UserDto>> {
    const wanted = [...new Set(ids)];
    const chunks: number[][] = [];
    for (let i = 0; i < wanted.length; i += GET_MANY_MAX) chunks.push(wanted.slice(i, i + GET_MANY_MAX));
    const answers = await Promise.all(chunks.map((chunk) => this.rpc.call('identity.user.getMany', { ids: chunk })));
    return new Map(answers.flat().map((u) => [u.id, u]));
  }
}
