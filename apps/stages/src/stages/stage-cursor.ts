import { isId } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';
import { StagesLocalErrorCode } from './stages.errors.js';

/** Where a page of the discovery list ended: its last stage's participant count and id. */
export interface StageCursor {
  participantCount: number;
  id: number;
}

export function encodeStageCursor(cursor: StageCursor): string {
  return Buffer.from(JSON.stringify([cursor.participantCount, cursor.id])).toString('base64url');
}

/** 400 for anything `encodeStageCursor` did not make. */
export function decodeStageCursor(text: string): StageCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [participantCount, id] = value as unknown[];
      if (Number.isInteger(participantCount) && (participantCount as number) >= 0 && isId(id)) {
        return { participantCount: participantCount as number, id };
      }
    }
  } catch {
    // not JSON: the 400 below
  }
  throw DomainError.badRequest(StagesLocalErrorCode.ValidationFailed, 'cursor is not valid');
}

/** The id a chat history page goes back from: a message id, as `nextCursor` carries it. */
export function decodeMessageCursor(text: string): number {
  const id = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN;
  if (!isId(id)) throw DomainError.badRequest(StagesLocalErrorCode.ValidationFailed, 'cursor is not valid');
  return id;
}
