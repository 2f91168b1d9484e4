import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StagesErrorCode } from '@octave/contracts';
import { rejection } from '@octave/platform/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStagesHarness, type StagesHarness } from '../testing/stages-harness.js';

const LIMIT = 3;
const WINDOW_SECONDS = 2;

describe('stages: chat', () => {
  let h: StagesHarness;

  beforeAll(async () => {
    h = await startStagesHarness('stages_chat', { CHAT_RATE_LIMIT: String(LIMIT), CHAT_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS) });
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function room() {
    const [host, guest] = [h.addUser(), h.addUser()];
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Chatty' });
    await h.rpc.call('stages.stage.join', { actor: guest, id: stage.id });
    return { host, guest, stage };
  }

  it('keeps a trimmed message and tells every subscriber', async () => {
    const { guest, stage } = await room();
    const sent = await h.rpc.call('stages.chat.send', { actor: guest, id: stage.id, message: '  hello there \n' });
    expect(sent).toEqual({
      id: expect.any(Number),
      stageId: stage.id,
      sender: guest,
      message: 'hello there',
      createdAt: expect.any(String),
    });
    expect((await h.realtime.next(stage.id, 'chat:message')).payload).toEqual(sent);
  });

  it('takes 1 to 1000 characters after trimming, counting characters rather than UTF-16 units', async () => {
    const { guest, stage } = await room();
    const send = (message: string) => h.rpc.call('stages.chat.send', { actor: guest, id: stage.id, message });
    expect(await rejection(send('   '))).toMatchObject({ status: 400 });
    expect(await rejection(send('x'.repeat(1001)))).toMatchObject({ status: 400 });
    expect((await send('🎵'.repeat(1000))).message).toHaveLength(2000);
  });

  it('is for participants only', async () => {
    const { stage, guest } = await room();
    const outsider = h.addUser();
    expect(await rejection(h.rpc.call('stages.chat.send', { actor: outsider, id: stage.id, message: 'hi' }))).toMatchObject({
      status: 403,
      code: StagesErrorCode.NotParticipant,
    });
    expect(await rejection(h.rpc.call('stages.chat.list', { actor: outsider, id: stage.id, limit: 10 }))).toMatchObject({ status: 403 });
    await h.rpc.call('stages.stage.leave', { actor: guest, id: stage.id });
    expect(await rejection(h.rpc.call('stages.chat.send', { actor: guest, id: stage.id, message: 'bye' }))).toMatchObject({
      status: 403,
    });
  });

  it('lists the history newest first, page by page back in time', async () => {
    const { host, guest, stage } = await room();
    const sent = [];
    for (let i = 0; i < 5; i++) {
      const actor = i % 2 === 0 ? host : guest;
      sent.push(await h.rpc.call('stages.chat.send', { actor, id: stage.id, message: `m${i}` }));
      if (i === 2) await sleep(WINDOW_SECONDS * 1000); // stay within the rate limit
    }
    const first = await h.rpc.call('stages.chat.list', { actor: guest, id: stage.id, limit: 2 });
    expect(first.items.map((m) => m.message)).toEqual(['m4', 'm3']);
    const second = await h.rpc.call('stages.chat.list', { actor: guest, id: stage.id, limit: 2, before: Number(first.nextCursor) });
    expect(second.items.map((m) => m.message)).toEqual(['m2', 'm1']);
    const third = await h.rpc.call('stages.chat.list', { actor: guest, id: stage.id, limit: 2, cursor: second.nextCursor! });
    expect(third.items).toEqual([sent[0]]);
    expect(third.nextCursor).toBeNull();
  });

  it(`allows ${LIMIT} messages per user in ${WINDOW_SECONDS} s, then 429 with the seconds to wait, shared by every stage`, async () => {
    const { guest, stage } = await room();
    const other = await h.rpc.call('stages.stage.create', { actor: guest, name: 'Elsewhere' }); // its host: a participant
    const results = await Promise.allSettled(
      Array.from({ length: LIMIT + 3 }, (_, i) =>
        h.rpc.call('stages.chat.send', { actor: guest, id: i % 2 === 0 ? stage.id : other.id, message: `burst ${i}` }),
      ),
    );
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(results.length - refused.length).toBe(LIMIT);
    for (const err of refused) {
      expect(err).toMatchObject({ status: 429, code: StagesErrorCode.ChatRateLimited });
      expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(err.retryAfterSeconds).toBeLessThanOrEqual(WINDOW_SECONDS);
    }
    // Another user is not held back.
    const neighbour = await room();
    expect((await h.rpc.call('stages.chat.send', { actor: neighbour.guest, id: neighbour.stage.id, message: 'fine' })).message).toBe('fine');
    await sleep(refused[0].retryAfterSeconds * 1000);
    expect((await h.rpc.call('stages.chat.send', { actor: guest, id: stage.id, message: 'again' })).message).toBe('again');
  });
});
