import { describe, expect, it } from '@jest/globals';
import {
  ClockOffsetEstimator,
  DRIFT_TOLERANCE_MS,
  expectedPositionMs,
  offsetFromSample,
  syncAction,
  type PlaybackState,
} from './playback-sync.js';

const T0 = Date.parse('2026-05-01T12:00:00.000Z');
const playing = (positionMs: number, serverTime = T0, songId: number | null = 7): PlaybackState => ({
  songId,
  positionMs,
  paused: false,
  serverTime: new Date(serverTime).toISOString(),
});

describe('offsetFromSample', () => {
  it('takes the server time to be read halfway through the round trip', () => {
    // Local clock 1 s behind the server; 100 ms round trip.
    const sample = { sentAt: T0 - 1000, receivedAt: T0 - 900, serverTime: T0 + 50 };
    expect(offsetFromSample(sample)).toEqual({ offsetMs: 1000, uncertaintyMs: 50 });
  });

  it('gives a zero round trip for answers that seem to come back before they were sent', () => {
    expect(offsetFromSample({ sentAt: T0, receivedAt: T0 - 5, serverTime: T0 }).uncertaintyMs).toBe(0);
  });
});

describe('ClockOffsetEstimator', () => {
  it('takes the clocks to agree until it has a sample', () => {
    const est = new ClockOffsetEstimator();
    expect(est.offsetMs).toBe(0);
    expect(est.uncertaintyMs).toBeNull();
  });

  it('trusts the sample with the shortest round trip', () => {
    const est = new ClockOffsetEstimator();
    est.add({ sentAt: T0, receivedAt: T0 + 400, serverTime: T0 + 500 }); // offset 300 ± 200
    est.add({ sentAt: T0, receivedAt: T0 + 20, serverTime: T0 + 260 }); // offset 250 ± 10
    est.add({ sentAt: T0, receivedAt: T0 + 100, serverTime: T0 + 100 }); // offset 50 ± 50
    expect(est.offsetMs).toBe(250);
    expect(est.uncertaintyMs).toBe(10);
  });

  it('forgets samples older than the last `keep` ones', () => {
    const est = new ClockOffsetEstimator(2);
    est.add({ sentAt: T0, receivedAt: T0, serverTime: T0 + 999 });
    est.add({ sentAt: T0, receivedAt: T0 + 10, serverTime: T0 + 5 });
    est.add({ sentAt: T0, receivedAt: T0 + 10, serverTime: T0 + 15 });
    expect(est.offsetMs).toBe(0);
  });
});

describe('expectedPositionMs', () => {
  it('adds the time since serverTime to the position while playing', () => {
    expect(expectedPositionMs(playing(10_000), T0 + 2_500, 0)).toBe(12_500);
  });

  it('corrects for the local clock with the offset', () => {
    // The local clock is 3 s behind the server: local T0 is server T0 + 3 s.
    expect(expectedPositionMs(playing(10_000), T0, 3_000)).toBe(13_000);
  });

  it('stays where it stopped while paused', () => {
    expect(expectedPositionMs({ ...playing(4_000), paused: true }, T0 + 60_000, 0)).toBe(4_000);
  });

  it('never goes past the end of the song, nor before its start', () => {
    expect(expectedPositionMs(playing(170_000), T0 + 60_000, 0, 180_000)).toBe(180_000);
    expect(expectedPositionMs(playing(0), T0 - 500, 0)).toBe(0);
  });

  it('does not move when serverTime cannot be read', () => {
    expect(expectedPositionMs({ ...playing(1_000), serverTime: 'not a date' }, T0, 0)).toBe(1_000);
  });
});

describe('syncAction', () => {
  it('stops the player when nothing plays on the stage', () => {
    expect(syncAction(playing(0, T0, null), { songId: 7, positionMs: 0, paused: false }, 0)).toEqual({ kind: 'stop' });
  });

  it('leaves drift within the tolerance alone', () => {
    const player = { songId: 7, positionMs: 10_000 + DRIFT_TOLERANCE_MS, paused: false };
    expect(syncAction(playing(10_000), player, 10_000)).toEqual({ kind: 'play', seekToMs: null });
  });

  it('seeks when the player drifted past the tolerance, either way', () => {
    expect(syncAction(playing(0), { songId: 7, positionMs: 10_151, paused: false }, 10_000)).toEqual({ kind: 'play', seekToMs: 10_000 });
    expect(syncAction(playing(0), { songId: 7, positionMs: 9_700, paused: true }, 10_000.4)).toEqual({ kind: 'play', seekToMs: 10_000 });
  });

  it('seeks to the expected position when the song changed, whatever the player position', () => {
    expect(syncAction(playing(0, T0, 8), { songId: 7, positionMs: 0, paused: false }, 20)).toEqual({ kind: 'play', seekToMs: 20 });
  });

  it('pauses at the stage position when the host paused', () => {
    const state = { ...playing(5_000), paused: true };
    expect(syncAction(state, { songId: 7, positionMs: 5_600, paused: false }, 5_000)).toEqual({ kind: 'pause', seekToMs: 5_000 });
    expect(syncAction(state, { songId: 7, positionMs: 5_050, paused: false }, 5_000)).toEqual({ kind: 'pause', seekToMs: null });
  });
});
