import type { Actor } from '@octave/contracts';
import type { Socket } from 'socket.io';

/** What a connected socket carries. */
export interface SocketData {
  actor: Actor;
}

export type RealtimeSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>;

/** The room every socket of a user joins, so a user can be reached on all their devices. */
export function userRoom(userId: number): string {
  return `user:${userId}`;
}

const STAGE_ROOM_PREFIX = 'stage:';

/** The room of the sockets subscribed to a stage. */
export function stageRoom(stageId: number): string {
  return STAGE_ROOM_PREFIX + stageId;
}

export function isStageRoom(room: unknown): boolean {
  return typeof room === 'string' && room.startsWith(STAGE_ROOM_PREFIX);
}
