import { describe, expect, it } from '@jest/globals';
import { parseChatPayload, parseStagePayload } from './payloads.js';

describe(parseStagePayload.name, () => {
  it('accepts a positive int32 stage id', () => {
    expect(parseStagePayload({ stageId: 1 })).toEqual({ ok: true, value: { stageId: 1 } });
    expect(parseStagePayload({ stageId: 2_147_483_647 })).toEqual({ ok: true, value: { stageId: 2_147_483_647 } });
  });

  it.each([0, -3, 1.5, 2_147_483_648, '7', null, Number.NaN, Infinity])('refuses the stage id %p', (stageId) => {
    expect(parseStagePayload({ stageId })).toEqual({
      ok: false,
      problems: ['stageId must be a positive integer no larger than 2147483647'],
    });
  });

  it.each([undefined, null, 'x', 5, [], [{ stageId: 1 }]])('refuses the payload %p', (body) => {
    expect(parseStagePayload(body)).toEqual({ ok: false, problems: ['payload must be an object {stageId}'] });
  });

  it('lists unknown fields and a bad id together', () => {
    expect(parseStagePayload({ id: 1, extra: 2 })).toEqual({
      ok: false,
      problems: [
        'property id should not exist',
        'property extra should not exist',
        'stageId must be a positive integer no larger than 2147483647',
      ],
    });
  });
});

describe(parseChatPayload.name, () => {
  it('passes the message on untrimmed', () => {
    expect(parseChatPayload({ stageId: 3, message: '  hi ' })).toEqual({ ok: true, value: { stageId: 3, message: '  hi ' } });
  });

  it('measures the length after trimming', () => {
    expect(parseChatPayload({ stageId: 3, message: `\n${'a'.repeat(1000)}\t` }).ok).toBe(true);
    const tooLong = parseChatPayload({ stageId: 3, message: 'a'.repeat(1001) });
    expect(tooLong).toEqual({ ok: false, problems: ['message must be 1 to 1000 characters long (after trimming)'] });
    expect(parseChatPayload({ stageId: 3, message: ' \n ' }).ok).toBe(false);
    expect(parseChatPayload({ stageId: 3, message: '' }).ok).toBe(false);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(parseChatPayload({ stageId: 3, message: '🎵'.repeat(1000) }).ok).toBe(true);
    expect(parseChatPayload({ stageId: 3, message: '🎵'.repeat(1001) }).ok).toBe(false);
  });

  it('lists every problem', () => {
    expect(parseChatPayload({ message: 4, x: 1 })).toEqual({
      ok: false,
      problems: ['property x should not exist', 'stageId must be a positive integer no larger than 2147483647', 'message must be a string'],
    });
    expect(parseChatPayload('hi')).toEqual({ ok: false, problems: ['payload must be an object {stageId, message}'] });
  });
});
