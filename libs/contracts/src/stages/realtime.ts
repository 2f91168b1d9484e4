import type { UserRefDto } from '../identity/dto.js';
import type { ChatMessageDto, ParticipantDto, PlaybackDto, StageDto } from './dto.js';

/**
 * Events the server pushes to every Socket.IO subscriber of a stage (API.md, Realtime),
 * event name → payload.
 */
export interface StageRealtimeEvents {
  'chat:message': ChatMessageDto;
  'participant:joined': { stageId: number; user: ParticipantDto };
  'participant:left': { stageId: number; user: UserRefDto };
  'participant:kicked': { stageId: number; userId: number };
  'playback:state': { stageId: number } & PlaybackDto;
  'stage:updated': StageDto;
  'stage:ended': { stageId: number };
}

export type StageRealtimeEvent = keyof StageRealtimeEvents;

/**
 * What the stages service publishes on core NATS (not JetStream: realtime is
 * fire-and-forget, the state is always readable over REST) after each committed change,
 * on `realtimeSubject(stageId)`. Every gateway replica subscribes to
 * `STAGE_REALTIME_WILDCARD` and emits `event` with `payload` to its sockets in the room
 * of the stage.
 */
export interface StageRealtimeMessage<E extends StageRealtimeEvent = StageRealtimeEvent> {
  stageId: number;
  event: E;
  payload: StageRealtimeEvents[E];
}

export const STAGE_REALTIME_WILDCARD = 'realtime.stages.>';
export function realtimeSubject(stageId: number): string {
  return `realtime.stages.${stageId}`;
}

/** Client → server Socket.IO events and their acknowledgements. */
export interface StageClientEvents {
  'stage:subscribe': (
    req: { stageId: number },
    ack: (res: { ok: true; stage: StageDto; playback: PlaybackDto } | { ok: false; error: { statusCode: number; message: string | string[] } }) => void,
  ) => void;
  'stage:unsubscribe': (req: { stageId: number }, ack: (res: { ok: true }) => void) => void;
  'chat:send': (
    req: { stageId: number; message: string },
    ack: (res: { ok: true; message: ChatMessageDto } | { ok: false; error: { statusCode: number; message: string | string[] } }) => void,
  ) => void;
}
