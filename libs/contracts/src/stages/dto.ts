import type { GenreDto } from '../catalog/dto.js';
import type { UserRefDto } from '../identity/dto.js';

/**
 * Server-authoritative playback. A client plays `songId` at
 * `positionMs + (now - serverTime)` when not paused.
 */
export interface PlaybackDto {
  songId: number | null;
  /** Position at `serverTime`, computed from the stored clock when the answer is made. */
  positionMs: number;
  paused: boolean;
  /** When the current song started playing from 0 (ISO-8601), or null when nothing plays. */
  startedAt: string | null;
  /** The server's clock when this state was computed (ISO-8601). */
  serverTime: string;
}

/** A participant as shown in a stage. */
export interface ParticipantDto {
  id: number;
  username: string;
  avatarUrl: string | null;
}

export interface StageDto {
  id: number;
  name: string;
  coverUrl: string | null;
  host: UserRefDto;
  genres: GenreDto[];
  /** In queue order. */
  playlists: { id: number; name: string }[];
  participantCount: number;
  nowPlaying: PlaybackDto;
  /** ISO-8601, UTC */
  createdAt: string;
  /** Only in `GET /api/stages/:id` (and `stage:subscribe`). */
  participants?: ParticipantDto[];
}

export interface ChatMessageDto {
  id: number;
  stageId: number;
  sender: UserRefDto;
  message: string;
  /** ISO-8601, UTC */
  createdAt: string;
}

export type PlaybackAction = 'play' | 'pause' | 'resume' | 'seek' | 'next' | 'previous';
