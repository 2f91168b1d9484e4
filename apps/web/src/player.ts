import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { ClockOffsetEstimator, expectedPositionMs, syncAction, type Playback } from '@octave/sdk';
import { songAudioUrl } from './audio.js';

const SYNC_INTERVAL_MS = 500;
const HAVE_METADATA = 1;

/**
 * Keeps an `<audio>` element on the stage's song at the stage's position: the song of
 * the last `Playback`, at `positionMs + (server now - serverTime)`, moved when it
 * drifts past the tolerance (see @octave/sdk playback-sync). Checked at every change of
 * state and twice a second, since an audio clock and the wall clock drift apart.
 */
export function useStagePlayer(audio: RefObject<HTMLAudioElement | null>, playback: Playback | null, clock: ClockOffsetEstimator) {
  const [loadedSong, setLoadedSong] = useState<number | null>(null);
  const [blocked, setBlocked] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const playbackRef = useRef(playback);
  playbackRef.current = playback;
  const loadedRef = useRef(loadedSong);
  loadedRef.current = loadedSong;

  const songId = playback?.songId ?? null;
  useEffect(() => {
    const el = audio.current;
    if (!el) return;
    if (songId === null) {
      el.pause();
      return;
    }
    let live = true;
    setError(null);
    songAudioUrl(songId).then(
      (url) => {
        if (!live) return;
        if (el.src !== url) el.src = url;
        // Which song the element holds (its blob URL does not say), for tests and tools.
        el.dataset.loadedSong = String(songId);
        setLoadedSong(songId);
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [audio, songId]);

  const sync = useCallback(() => {
    const el = audio.current;
    const state = playbackRef.current;
    if (!el || !state) return;
    if (state.songId === null) {
      if (!el.paused) el.pause();
      return;
    }
    // Not loaded yet: the position cannot be set before the metadata is there.
    if (loadedRef.current !== state.songId || el.readyState < HAVE_METADATA) return;
    const durationMs = Number.isFinite(el.duration) ? el.duration * 1000 : undefined;
    const expected = expectedPositionMs(state, Date.now(), clock.offsetMs, durationMs);
    const action = syncAction(state, { songId: loadedRef.current, positionMs: el.currentTime * 1000, paused: el.paused }, expected);
    if (action.kind === 'stop') {
      if (!el.paused) el.pause();
      return;
    }
    if (action.seekToMs !== null) el.currentTime = action.seekToMs / 1000;
    if (action.kind === 'pause' && !el.paused) el.pause();
    if (action.kind === 'play' && el.paused && (durationMs === undefined || expected < durationMs)) {
      el.play().then(
        () => setBlocked(false),
        (err: unknown) => {
          // The browser wants a click before it plays sound.
          if (err instanceof DOMException && err.name === 'NotAllowedError') setBlocked(true);
        },
      );
    }
  }, [audio, clock]);

  useEffect(sync, [sync, playback, loadedSong]);
  useEffect(() => {
    const timer = setInterval(sync, SYNC_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [sync]);

  /** After a click: the browser now lets the page play sound. */
  const unblock = useCallback(() => {
    setBlocked(false);
    const el = audio.current;
    el?.play().then(sync, () => setBlocked(true));
  }, [audio, sync]);

  /** Call on the element's `loadedmetadata`: the position can be set from then on. */
  return { blocked, error, unblock, sync };
}
