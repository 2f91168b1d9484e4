import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStagesHarness, type StagesHarness } from '../testing/stages-harness.js';
import { PlaybackScheduler } from './playback.scheduler.js';

describe(PlaybackScheduler.name, () => {
  describe('with two replicas of the service', () => {
    let h: StagesHarness;

    beforeAll(async () => {
      // Both look for due songs every 10 ms, so they keep colliding on the same rows.
      h = await startStagesHarness('stages_scheduler_replicas', { PLAYBACK_POLL_MS: '10' });
      await h.startInstance();
    });
    afterAll(async () => {
      await h?.stop();
    });

    it('starts each next song exactly once', async () => {
      const STAGES = 30;
      const host = h.addUser();
      const stages = await Promise.all(
        Array.from({ length: STAGES }, async () => {
          const [first, second, third] = [h.addSong(600), h.addSong(600), h.addSong(60_000)];
          const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Race', playlistIds: [h.addPlaylist([first, second, third])] });
          await h.rpc.call('stages.playback.control', { actor: host, id: stage.id, action: 'play', songId: first });
          return { id: stage.id, second, third };
        }),
      );
      for (const s of stages) await h.realtime.next(s.id, 'playback:state', (m) => m.payload.songId === s.third, 10_000);
      await sleep(300); // a second advance, had there been one, has been announced by now
      for (const s of stages) {
        const announced = h.realtime.of(s.id, 'playback:state');
        // play, then one advance to the second song and one to the third: a double advance
        // would skip the second song or announce one of them twice.
        expect(announced.map((m) => m.payload.songId)).toEqual([expect.any(Number), s.second, s.third]);
        const playback = await h.rpc.call('stages.playback.get', { actor: host, id: s.id });
        expect(playback.songId).toBe(s.third);
      }
    });
  });

  describe('across a restart of the service', () => {
    let h: StagesHarness;

    beforeAll(async () => {
      h = await startStagesHarness('stages_scheduler_restart');
    });
    afterAll(async () => {
      await h?.stop();
    });

    it('starts the next song once, when the service is back, for a song that ended while it was down', async () => {
      const host = h.addUser();
      const [first, second, third] = [h.addSong(800), h.addSong(60_000), h.addSong(60_000)];
      const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Restart', playlistIds: [h.addPlaylist([first, second, third])] });
      const played = await h.rpc.call('stages.playback.control', { actor: host, id: stage.id, action: 'play', songId: first });
      const end = Date.parse(played.startedAt!) + 800;

      await h.service.close();
      await sleep(Math.max(0, end - Date.now()) + 1_000);
      expect(h.realtime.of(stage.id, 'playback:state').map((m) => m.payload.songId)).toEqual([first]);

      await h.startInstance();
      const advanced = await h.realtime.next(stage.id, 'playback:state', (m) => m.payload.songId === second, 10_000);
      // Just past the end: the queue keeps time as if it had played on.
      expect(Date.parse(advanced.payload.startedAt!)).toBe(end);
      await sleep(500);
      expect(h.realtime.of(stage.id, 'playback:state').map((m) => m.payload.songId)).toEqual([first, second]);
      const playback = await h.rpc.call('stages.playback.get', { actor: host, id: stage.id });
      expect(playback).toMatchObject({ songId: second, paused: false });
    });
  });
});
