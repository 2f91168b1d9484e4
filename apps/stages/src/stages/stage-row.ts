import type { PlaybackClock, QueueCursor } from '../playback/playback-clock.js';
import { endsAt } from '../playback/playback-clock.js';

/** A row of `stages.stages` as the service reads it. */
export interface StageRow {
  id: number;
  name: string;
  hostId: number;
  coverKey: string | null;
  participantCount: number;
  createdAt: Date;
  clock: PlaybackClock;
  /** Where the current song came from in the queue; null when nothing is loaded. */
  cursor: QueueCursor | null;
  /** When the scheduler acts on this stage next. */
  endsAt: Date | null;
}

/** The columns `toStageRow` reads, for `SELECT ${STAGE_COLUMNS} FROM stages.stages s`. */
export const STAGE_COLUMNS = `s.id, s.name, s.host_id, s.cover_key, s.participant_count, s.created_at,
  s.song_id, s.duration_ms, s.queue_playlist_pos, s.queue_entry_index, s.position_ms, s.anchor_at,
  s.paused, s.started_at, s.ends_at`;

export interface RawStageRow {
  id: number;
  name: string;
  host_id: number;
  cover_key: string | null;
  participant_count: number;
  created_at: Date | string;
  song_id: number | null;
  duration_ms: number | null;
  queue_playlist_pos: number | null;
  queue_entry_index: number | null;
  position_ms: number;
  anchor_at: Date | string;
  paused: boolean;
  started_at: Date | string | null;
  ends_at: Date | string | null;
}

const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const dateOrNull = (v: Date | string | null): Date | null => (v === null ? null : date(v));

export function toStageRow(raw: RawStageRow): StageRow {
  const cursor =
    raw.song_id !== null && raw.queue_playlist_pos !== null && raw.queue_entry_index !== null
      ? { playlistPos: raw.queue_playlist_pos, entryIndex: raw.queue_entry_index, songId: raw.song_id }
      : null;
  return {
    id: raw.id,
    name: raw.name,
    hostId: raw.host_id,
    coverKey: raw.cover_key,
    participantCount: raw.participant_count,
    createdAt: date(raw.created_at),
    clock: {
      songId: raw.song_id,
      durationMs: raw.duration_ms,
      positionMs: raw.position_ms,
      anchorAt: date(raw.anchor_at),
      paused: raw.paused,
      startedAt: dateOrNull(raw.started_at),
    },
    cursor,
    endsAt: dateOrNull(raw.ends_at),
  };
}

/**
 * The SET clause and parameters that store a playback clock and its queue cursor; the
 * scheduler's `ends_at` follows from the clock.
 */
export function playbackAssignments(clock: PlaybackClock, cursor: QueueCursor | null): { sql: string; params: unknown[] } {
  const end = endsAt(clock);
  return {
    sql: `song_id = ?, duration_ms = ?, queue_playlist_pos = ?, queue_entry_index = ?, position_ms = ?,
      anchor_at = ?::timestamptz, paused = ?, started_at = ?::timestamptz, ends_at = ?::timestamptz, updated_at = now()`,
    params: [
      clock.songId,
      clock.durationMs,
      cursor?.playlistPos ?? null,
      cursor?.entryIndex ?? null,
      Math.round(clock.positionMs),
      clock.anchorAt.toISOString(),
      clock.paused,
      clock.startedAt?.toISOString() ?? null,
      end?.toISOString() ?? null,
    ],
  };
}
