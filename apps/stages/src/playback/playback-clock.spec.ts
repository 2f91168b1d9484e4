import { describe, expect, it } from '@jest/globals';
import {
  endsAt,
  flattenQueue,
  MAX_CATCH_UP_MS,
  nextIndex,
  nextSongStart,
  pauseAt,
  playbackAt,
  positionAt,
  previousIndex,
  resumeAt,
  seekAt,
  startSong,
  stoppedClock,
  type QueueItem,
} from './playback-clock.js';

const t0 = new Date('2030-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('playback clock', () => {
  const song = { songId: 7, durationMs: 60_000 };

  describe(positionAt.name, () => {
    it('moves with real time while playing', () => {
      const clock = startSong(song, t0);
      expect(positionAt(clock, t0)).toBe(0);
      expect(positionAt(clock, at(1_500))).toBe(1_500);
      expect(positionAt(clock, at(42_000))).toBe(42_000);
    });

    it('stops at the end of the song', () => {
      expect(positionAt(startSong(song, t0), at(90_000))).toBe(60_000);
    });

    it('stays where it was paused, however much later it is asked', () => {
      const paused = pauseAt(startSong(song, t0), at(10_000));
      expect(positionAt(paused, at(10_000))).toBe(10_000);
      expect(positionAt(paused, at(500_000))).toBe(10_000);
    });

    it('never goes before the anchor, for a clock read slightly behind another replica', () => {
      expect(positionAt(startSong(song, t0, { positionMs: 5_000 }), at(-200))).toBe(5_000);
    });

    it('is 0 when nothing is loaded', () => {
      expect(positionAt(stoppedClock(t0), at(5_000))).toBe(0);
    });
  });

  it('pauses and resumes without losing or gaining time', () => {
    let clock = startSong(song, t0);
    clock = pauseAt(clock, at(10_000));
    clock = resumeAt(clock, at(30_000));
    expect(positionAt(clock, at(35_000))).toBe(15_000);
    expect(endsAt(clock)).toEqual(at(30_000 + 50_000));
  });

  it('leaves a clock alone when pausing a paused one or resuming a playing one', () => {
    const playing = startSong(song, t0);
    const paused = pauseAt(playing, at(1_000));
    expect(pauseAt(paused, at(2_000))).toBe(paused);
    expect(resumeAt(playing, at(2_000))).toBe(playing);
  });

  it('seeks from the moment of the seek, paused or not', () => {
    const seeked = seekAt(startSong(song, t0), 45_000, at(5_000));
    expect(positionAt(seeked, at(6_000))).toBe(46_000);
    expect(endsAt(seeked)).toEqual(at(5_000 + 15_000));
    const pausedSeek = seekAt(pauseAt(startSong(song, t0), at(1_000)), 20_000, at(9_000));
    expect(positionAt(pausedSeek, at(60_000))).toBe(20_000);
    expect(endsAt(pausedSeek)).toBeNull();
  });

  it('has no end while paused or with nothing loaded', () => {
    expect(endsAt(startSong(song, t0, { paused: true }))).toBeNull();
    expect(endsAt(stoppedClock(t0))).toBeNull();
    expect(endsAt(startSong(song, t0, { positionMs: 20_000 }))).toEqual(at(40_000));
  });

  describe(playbackAt.name, () => {
    it('answers the position at the time asked, with that time as serverTime', () => {
      const clock = startSong(song, t0, { positionMs: 2_000 });
      expect(playbackAt(clock, at(3_000))).toEqual({
        songId: 7,
        positionMs: 5_000,
        paused: false,
        startedAt: at(-2_000).toISOString(),
        serverTime: at(3_000).toISOString(),
      });
    });

    it('lets a client compute the same position later: positionMs + (now - serverTime)', () => {
      const clock = startSong(song, t0);
      const answer = playbackAt(clock, at(4_000));
      const later = at(9_000);
      expect(answer.positionMs + (later.getTime() - Date.parse(answer.serverTime))).toBe(positionAt(clock, later));
    });

    it('shows nothing playing as paused at 0 with no start', () => {
      expect(playbackAt(stoppedClock(t0), at(1))).toEqual({
        songId: null,
        positionMs: 0,
        paused: true,
        startedAt: null,
        serverTime: at(1).toISOString(),
      });
    });
  });

  describe(nextSongStart.name, () => {
    it('starts the next song at the end of the last when that was just now', () => {
      expect(nextSongStart(t0, at(180))).toEqual(t0);
    });

    it('starts it now when the end is long past (the service was down) or still ahead (cut short)', () => {
      expect(nextSongStart(t0, at(MAX_CATCH_UP_MS + 1))).toEqual(at(MAX_CATCH_UP_MS + 1));
      expect(nextSongStart(at(30_000), t0)).toEqual(t0);
      expect(nextSongStart(null, t0)).toEqual(t0);
    });
  });
});

describe('queue', () => {
  // Playlist at position 0: songs 1, 2, 3; at position 4: songs 10, 11.
  const queue = flattenQueue([
    { position: 4, songIds: [10, 11] },
    { position: 0, songIds: [1, 2, 3] },
  ]);
  const cursor = (index: number): QueueItem => queue[index];

  it('flattens the playlists in their stage order, each in its own order', () => {
    expect(queue.map((i) => i.songId)).toEqual([1, 2, 3, 10, 11]);
    expect(queue[3]).toEqual({ playlistPos: 4, entryIndex: 0, songId: 10 });
  });

  describe(nextIndex.name, () => {
    it('goes to the following song, across playlists', () => {
      expect(nextIndex(queue, cursor(0))).toBe(1);
      expect(nextIndex(queue, cursor(2))).toBe(3);
    });

    it('ends after the last song', () => {
      expect(nextIndex(queue, cursor(4))).toBeUndefined();
    });

    it('starts at the first song when nothing was loaded, and has nothing in an empty queue', () => {
      expect(nextIndex(queue, null)).toBe(0);
      expect(nextIndex([], null)).toBeUndefined();
      expect(nextIndex([], cursor(1))).toBeUndefined();
    });

    it('goes to the song that took the place of a removed one', () => {
      const without2 = flattenQueue([
        { position: 0, songIds: [1, 3] },
        { position: 4, songIds: [10, 11] },
      ]);
      // Song 2 (index 1 of playlist 0) was playing: song 3 now stands there.
      expect(without2[nextIndex(without2, cursor(1))!].songId).toBe(3);
    });

    it('goes on with the next playlist when the playing one was removed', () => {
      const onlySecond = flattenQueue([{ position: 4, songIds: [10, 11] }]);
      expect(onlySecond[nextIndex(onlySecond, cursor(1))!].songId).toBe(10);
      const onlyFirst = flattenQueue([{ position: 0, songIds: [1, 2, 3] }]);
      expect(nextIndex(onlyFirst, cursor(3))).toBeUndefined();
    });

    it('follows the song when its playlist was reordered', () => {
      const moved = flattenQueue([
        { position: 0, songIds: [2, 1, 3] },
        { position: 4, songIds: [10, 11] },
      ]);
      // Song 2 was at index 1 and is now at index 0: what follows it now is song 1.
      expect(moved[nextIndex(moved, cursor(1))!].songId).toBe(1);
    });

    it('tells apart two entries of the same song by their place', () => {
      const twice = flattenQueue([{ position: 0, songIds: [5, 6, 5, 7] }]);
      expect(nextIndex(twice, twice[0])).toBe(1);
      expect(nextIndex(twice, twice[2])).toBe(3);
    });
  });

  describe(previousIndex.name, () => {
    it('goes to the song before, across playlists', () => {
      expect(previousIndex(queue, cursor(3))).toBe(2);
      expect(previousIndex(queue, cursor(1))).toBe(0);
    });

    it('restarts the first song', () => {
      expect(previousIndex(queue, cursor(0))).toBe(0);
    });

    it('goes to the song before a removed one', () => {
      const without10 = flattenQueue([
        { position: 0, songIds: [1, 2, 3] },
        { position: 4, songIds: [11] },
      ]);
      expect(without10[previousIndex(without10, cursor(3))!].songId).toBe(3);
    });

    it('starts at the first song when nothing was loaded, and has nothing in an empty queue', () => {
      expect(previousIndex(queue, null)).toBe(0);
      expect(previousIndex([], cursor(2))).toBeUndefined();
    });
  });
});
