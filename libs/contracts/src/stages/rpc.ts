import type { Actor, HealthReport, Page, PageRequest } from '../common/index.js';
import type { ChatMessageDto, PlaybackAction, PlaybackDto, StageDto } from './dto.js';

/**
 * RPC subjects of the stages service: subject → request and response.
 * Errors travel as an `ErrorEnvelope` (codes in `StagesErrorCode`).
 */
export interface StagesRpc {
  'stages.health.ping': { req: Record<string, never>; res: HealthReport };
  /** The host is the first participant. Unknown genre 404, unknown playlist 404. */
  'stages.stage.create': { req: { actor: Actor; name: string; genreIds?: number[]; playlistIds?: number[] }; res: StageDto };
  /** Live stages only, most participants first; `friends` = hosted or joined by the actor's friends. */
  'stages.stage.list': {
    req: PageRequest & { actor: Actor; genreId?: number; hostId?: number; friends?: boolean };
    res: Page<StageDto>;
  };
  /** With `participants`. Ended or unknown: 404 `STAGE_NOT_FOUND`. */
  'stages.stage.get': { req: { actor: Actor; id: number }; res: StageDto };
  /** Host only. */
  'stages.stage.update': { req: { actor: Actor; id: number; name?: string; genreIds?: number[] }; res: StageDto };
  /** Adopts a staged image as cover (sniffed PNG/JPEG/WebP); host only. */
  'stages.stage.cover.set': { req: { actor: Actor; id: number; stagingKey: string }; res: StageDto };
  /** Host ends the stage; everyone is told (`stage:ended`). */
  'stages.stage.end': { req: { actor: Actor; id: number }; res: { ok: true } };
  /** Idempotent. 403 blocked by the host or kicked; 409 full. */
  'stages.stage.join': { req: { actor: Actor; id: number }; res: StageDto };
  /** The host leaving ends the stage. */
  'stages.stage.leave': { req: { actor: Actor; id: number }; res: { ok: true } };
  /** Host only; the user cannot rejoin. */
  'stages.stage.kick': { req: { actor: Actor; id: number; userId: number }; res: { ok: true } };
  'stages.stage.playlist.add': { req: { actor: Actor; id: number; playlistId: number }; res: StageDto };
  'stages.stage.playlist.remove': { req: { actor: Actor; id: number; playlistId: number }; res: StageDto };
  /** Participants only. */
  'stages.playback.get': { req: { actor: Actor; id: number }; res: PlaybackDto };
  /** Host only. */
  'stages.playback.control': {
    req: { actor: Actor; id: number; action: PlaybackAction; songId?: number; positionMs?: number };
    res: PlaybackDto;
  };
  /** Participants only; trimmed 1–1000 characters; 429 `CHAT_RATE_LIMITED` with retryAfterSeconds. */
  'stages.chat.send': { req: { actor: Actor; id: number; message: string }; res: ChatMessageDto };
  /** Newest first; `cursor` pages to older messages. Participants only. */
  'stages.chat.list': { req: PageRequest & { actor: Actor; id: number; before?: number }; res: Page<ChatMessageDto> };
  /** For `stage:subscribe`: the stage (with participants) and playback, if the actor participates (else 403). */
  'stages.stage.subscribe': { req: { actor: Actor; id: number }; res: { stage: StageDto; playback: PlaybackDto } };
}

export const StagesErrorCode = {
  StageNotFound: 'STAGE_NOT_FOUND',
  NotHost: 'STAGE_NOT_HOST',
  NotParticipant: 'STAGE_NOT_PARTICIPANT',
  Blocked: 'STAGE_BLOCKED',
  Kicked: 'STAGE_KICKED',
  Full: 'STAGE_FULL',
  SongNotInQueue: 'SONG_NOT_IN_QUEUE',
  ChatRateLimited: 'CHAT_RATE_LIMITED',
} as const;
