import type { PlaybackDto } from '@octave/contracts';

/**
 * A stage's playback as stored: a clock, not a position that is updated while the song
 * plays. The song was at `positionMs` at `anchorAt`; unless paused it has moved on with
 * real time since, up to its end. Everything here is a pure function of this state and
 * the time asked about, so every replica answers the same for the same instant.
 */
export interface PlaybackClock {
  songId: number | null;
  /** Of the current song; null when nothing is loaded. */
  durationMs: number | null;
  positionMs: number;
  anchorAt: Date;
  paused: boolean;
  /** When the current song was started from its beginning. */
  startedAt: Date | null;
}

/** Nothing loaded: what a new stage and a stage at the end of its queue have. */
export function stoppedClock(now: Date): PlaybackClock {
  return { songId: null, durationMs: null, positionMs: 0, anchorAt: now, paused: true, startedAt: null };
}

/** Where the song is at `now`: the stored position plus the time played since, within the song. */
export function positionAt(clock: PlaybackClock, now: Date): number {
  if (clock.songId === null || clock.durationMs === null) return 0;
  const elapsed = clock.paused ? 0 : Math.max(0, now.getTime() - clock.anchorAt.getTime());
  return Math.min(clock.durationMs, Math.max(0, clock.positionMs + elapsed));
}

/** When the playing song reaches its end; null when paused or when nothing is loaded. */
export function endsAt(clock: PlaybackClock): Date | null {
  if (clock.paused || clock.songId === null || clock.durationMs === null) return null;
  return new Date(clock.anchorAt.getTime() + Math.max(0, clock.durationMs - clock.positionMs));
}

/** The API's `Playback` as it stands at `now`. */
export function playbackAt(clock: PlaybackClock, now: Date): PlaybackDto {
  return {
    songId: clock.songId,
    positionMs: positionAt(clock, now),
    paused: clock.songId === null ? true : clock.paused,
    startedAt: clock.songId !== null && clock.startedAt ? clock.startedAt.toISOString() : null,
    serverTime: now.toISOString(),
  };
}

/** Paused where it is at `now` (already paused: unchanged). */
export function pauseAt(clock: PlaybackClock, now: Date): PlaybackClock {
  if (clock.paused) return clock;
  return { ...clock, positionMs: positionAt(clock, now), anchorAt: now, paused: true };
}

/** Playing on from where it was paused, from `now` (already playing: unchanged). */
export function resumeAt(clock: PlaybackClock, now: Date): PlaybackClock {
  if (!clock.paused) return clock;
  return { ...clock, anchorAt: now, paused: false };
}

/** At `positionMs` from `now`, paused or playing as it was. */
export function seekAt(clock: PlaybackClock, positionMs: number, now: Date): PlaybackClock {
  return { ...clock, positionMs, anchorAt: now };
}

/** A song started at `positionMs` at `at` (playing unless `paused`). */
export function startSong(
  song: { songId: number; durationMs: number },
  at: Date,
  opts: { paused?: boolean; positionMs?: number } = {},
): PlaybackClock {
  const positionMs = opts.positionMs ?? 0;
  return {
    songId: song.songId,
    durationMs: song.durationMs,
    positionMs,
    anchorAt: at,
    paused: opts.paused ?? false,
    startedAt: new Date(at.getTime() - positionMs),
  };
}

/**
 * How far after a song's end the next one may still start at that end, rather than
 * now. Within it (the scheduler is always a little late) the queue keeps exact time,
 * as if it had played on without gaps; past it (the service was down), the next song
 * starts from its beginning when the service is back, instead of racing through the
 * songs that "played" while nobody was serving them.
 */
export const MAX_CATCH_UP_MS = 5_000;

/**
 * When the song after the current one starts, seen at `now`: at the current one's end
 * if that is just past, else now (the end is long past, or still ahead because the song
 * is being cut short).
 */
export function nextSongStart(endedAt: Date | null, now: Date): Date {
  if (!endedAt) return now;
  const late = now.getTime() - endedAt.getTime();
  return late >= 0 && late <= MAX_CATCH_UP_MS ? endedAt : now;
}

// ---- the queue ----

/** One song of the queue: the stage's playlists in order, each one's songs in order. */
export interface QueueItem {
  /** `position` of the playlist in the stage (stable: playlists are appended, never renumbered). */
  playlistPos: number;
  /** Index of the song within its playlist. */
  entryIndex: number;
  songId: number;
}

/** Where the current song was taken from; a playlist may have changed since. */
export type QueueCursor = QueueItem;

/** The flattened queue: playlists by position, then their songs in playlist order. */
export function flattenQueue(playlists: { position: number; songIds: number[] }[]): QueueItem[] {
  return [...playlists]
    .sort((a, b) => a.position - b.position)
    .flatMap((p) => p.songIds.map((songId, entryIndex) => ({ playlistPos: p.position, entryIndex, songId })));
}

function compare(a: { playlistPos: number; entryIndex: number }, b: { playlistPos: number; entryIndex: number }): number {
  return a.playlistPos - b.playlistPos || a.entryIndex - b.entryIndex;
}

/**
 * The current song's place in `queue`: the same entry if it is still there, else the
 * same song nearest to it in the same playlist (the playlist was reordered). Undefined
 * when the song is no longer in its playlist, or the playlist is gone.
 */
export function locate(queue: QueueItem[], cursor: QueueCursor): number | undefined {
  let best: number | undefined;
  for (let i = 0; i < queue.length; i++) {
    const item = queue[i];
    if (item.playlistPos !== cursor.playlistPos || item.songId !== cursor.songId) continue;
    if (item.entryIndex === cursor.entryIndex) return i;
    if (best === undefined || Math.abs(item.entryIndex - cursor.entryIndex) < Math.abs(queue[best].entryIndex - cursor.entryIndex)) {
      best = i;
    }
  }
  return best;
}

/**
 * Index of the song that follows the cursor, or undefined at the end of the queue.
 * Nothing loaded: the first song. The current song gone from the queue (deleted, or
 * its playlist removed): the song that now stands where it stood.
 */
export function nextIndex(queue: QueueItem[], cursor: QueueCursor | null): number | undefined {
  if (queue.length === 0) return undefined;
  if (!cursor) return 0;
  const at = locate(queue, cursor);
  const next = at !== undefined ? at + 1 : queue.findIndex((item) => compare(item, cursor) >= 0);
  return next >= 0 && next < queue.length ? next : undefined;
}

/**
 * Index of the song before the cursor; at the first song, that song again (from its
 * beginning). Nothing loaded: the first song. The current song gone: the one that
 * stood before it.
 */
export function previousIndex(queue: QueueItem[], cursor: QueueCursor | null): number | undefined {
  if (queue.length === 0) return undefined;
  if (!cursor) return 0;
  const at = locate(queue, cursor);
  if (at !== undefined) return Math.max(0, at - 1);
  let before = -1;
  for (let i = 0; i < queue.length; i++) if (compare(queue[i], cursor) < 0) before = i;
  return Math.max(0, before);
}
