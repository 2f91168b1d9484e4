/**
 * Validation of what clients send over the socket. The same rules as the REST routes
 * (unknown fields refused, ids positive int32, chat 1–1000 characters after trimming),
 * with the problems listed the way the REST 400 lists them. The stages service checks
 * the message again; checking here keeps oversized payloads off the bus.
 */

import { INT32_MAX, isId } from '@octave/contracts';

export const CHAT_MAX_CHARS = 1000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export interface StagePayload {
  stageId: number;
}

export interface ChatPayload {
  stageId: number;
  message: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownFields(body: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(body)
    .filter((key) => !allowed.includes(key))
    .map((key) => `property ${key} should not exist`);
}

function stageIdProblems(value: unknown): string[] {
  return isId(value) ? [] : [`stageId must be a positive integer no larger than ${INT32_MAX}`];
}

/** `{stageId}` of `stage:subscribe` and `stage:unsubscribe`. */
export function parseStagePayload(body: unknown): Parsed<StagePayload> {
  if (!isPlainObject(body)) return { ok: false, problems: ['payload must be an object {stageId}'] };
  const problems = [...unknownFields(body, ['stageId']), ...stageIdProblems(body.stageId)];
  return problems.length ? { ok: false, problems } : { ok: true, value: { stageId: body.stageId as number } };
}

/** `{stageId, message}` of `chat:send`; the message is passed on as sent (the service trims it). */
export function parseChatPayload(body: unknown): Parsed<ChatPayload> {
  if (!isPlainObject(body)) return { ok: false, problems: ['payload must be an object {stageId, message}'] };
  const problems = [...unknownFields(body, ['stageId', 'message']), ...stageIdProblems(body.stageId)];
  const message = body.message;
  if (typeof message !== 'string') {
    problems.push('message must be a string');
  } else {
    // Characters as the database counts them (code points), so an emoji is one.
    const length = [...message.trim()].length;
    if (length < 1 || length > CHAT_MAX_CHARS) problems.push(`message must be 1 to ${CHAT_MAX_CHARS} characters long (after trimming)`);
  }
  return problems.length
    ? { ok: false, problems }
    : { ok: true, value: { stageId: body.stageId as number, message: message as string } };
}
