/**
 * Synchronised playback for stage participants. The server says where the host's song
 * was (`positionMs`) at its own clock's `serverTime`; a participant plays it at
 * `positionMs + (serverNow - serverTime)`. The participant's clock may differ from the
 * server's, so `serverNow` is the local clock plus an offset measured from round trips
 * (as NTP does: the server's time is taken to be read halfway through the round trip).
 * Pure functions, so they can be tested without a clock or an audio element.
 */

/** Fields of `Playback` this module reads. */
export interface PlaybackState {
  songId: number | null;
  positionMs: number;
  paused: boolean;
  serverTime: string;
}

/** Drift past which a participant's player is moved to where it should be. */
export const DRIFT_TOLERANCE_MS = 150;

/** One request and its answer: local send and receive times, and the server's time in the answer (ms since the epoch). */
export interface ClockSample {
  sentAt: number;
  receivedAt: number;
  serverTime: number;
}

/** Server clock minus local clock, and how uncertain that is (half the round trip). */
export interface ClockOffset {
  offsetMs: number;
  uncertaintyMs: number;
}

export function offsetFromSample(sample: ClockSample): ClockOffset {
  const roundTrip = Math.max(0, sample.receivedAt - sample.sentAt);
  return { offsetMs: sample.serverTime - (sample.sentAt + roundTrip / 2), uncertaintyMs: roundTrip / 2 };
}

/**
 * Keeps the sample with the shortest round trip among the latest ones: a short round
 * trip bounds the error best, and recent samples follow a clock that is adjusted.
 */
export class ClockOffsetEstimator {
  private samples: ClockOffset[] = [];

  constructor(private readonly keep = 8) {}

  add(sample: ClockSample): void {
    this.samples.push(offsetFromSample(sample));
    if (this.samples.length > this.keep) this.samples.shift();
  }

  /** 0 until a sample came: the clocks are taken to agree. */
  get offsetMs(): number {
    return this.best()?.offsetMs ?? 0;
  }

  get uncertaintyMs(): number | null {
    return this.best()?.uncertaintyMs ?? null;
  }

  private best(): ClockOffset | undefined {
    let best: ClockOffset | undefined;
    for (const s of this.samples) if (!best || s.uncertaintyMs < best.uncertaintyMs) best = s;
    return best;
  }
}

/**
 * Where the song should be now (ms), from the last state the server sent. Paused: where
 * it stopped. Never before 0, nor past `durationMs` when it is known.
 */
export function expectedPositionMs(state: PlaybackState, localNowMs: number, offsetMs: number, durationMs?: number): number {
  const serverTime = Date.parse(state.serverTime);
  const elapsed = state.paused || Number.isNaN(serverTime) ? 0 : localNowMs + offsetMs - serverTime;
  const position = Math.max(0, state.positionMs + elapsed);
  return durationMs !== undefined && durationMs > 0 ? Math.min(position, durationMs) : position;
}

/** What a player should do to follow the stage. */
export type SyncAction =
  | { kind: 'stop' }
  | { kind: 'pause'; seekToMs: number | null }
  | { kind: 'play'; seekToMs: number | null };

/**
 * Compares the player (its song, position and whether it plays) with the stage, and
 * says what to change. The player is moved only when it drifted more than
 * `toleranceMs`: seeking an audio element costs a short gap, so small drift is left.
 */
export function syncAction(
  state: PlaybackState,
  player: { songId: number | null; positionMs: number; paused: boolean },
  expectedMs: number,
  toleranceMs = DRIFT_TOLERANCE_MS,
): SyncAction {
  if (state.songId === null) return { kind: 'stop' };
  const sameSong = player.songId === state.songId;
  const drifted = !sameSong || Math.abs(player.positionMs - expectedMs) > toleranceMs;
  const seekToMs = drifted ? Math.round(expectedMs) : null;
  return state.paused ? { kind: 'pause', seekToMs } : { kind: 'play', seekToMs };
}
