import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StagesErrorCode } from '@octave/contracts';
import { rejection } from '@octave/platform/testing';
import { startStagesHarness, type StagesHarness } from '../testing/stages-harness.js';
import { STAGE_CONSUMERS, StageEventsHandler } from './stage-events.js';

describe(StageEventsHandler.name, () => {
  let h: StagesHarness;

  beforeAll(async () => {
    h = await startStagesHarness('stages_events');
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe('song.deleted', () => {
    it('moves a stage playing the song on to the next one, and tells its subscribers', async () => {
      const host = h.addUser();
      const [a, b] = [h.addSong(), h.addSong()];
      const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Songs', playlistIds: [h.addPlaylist([a, b])] });
      await h.rpc.call('stages.playback.control', { actor: host, id: stage.id, action: 'play', songId: a });

      // The catalog deleted it; its playlist still lists it (playlists has not caught up).
      h.world.songs.delete(a);
      await h.publish('catalog', 'song.deleted', { songId: a, uploaderId: 1 });
      await h.realtime.next(stage.id, 'playback:state', (m) => m.payload.songId === b);
      expect(await h.rpc.call('stages.playback.get', { actor: host, id: stage.id })).toMatchObject({ songId: b, paused: false });
    });

    it('loads the next song paused on a paused stage, and leaves other stages alone', async () => {
      const host = h.addUser();
      const [a, b, c] = [h.addSong(), h.addSong(), h.addSong()];
      const paused = await h.rpc.call('stages.stage.create', { actor: host, name: 'Paused', playlistIds: [h.addPlaylist([a, b])] });
      const other = await h.rpc.call('stages.stage.create', { actor: host, name: 'Other', playlistIds: [h.addPlaylist([c])] });
      await h.rpc.call('stages.playback.control', { actor: host, id: paused.id, action: 'play', songId: a });
      await h.rpc.call('stages.playback.control', { actor: host, id: paused.id, action: 'pause' });
      await h.rpc.call('stages.playback.control', { actor: host, id: other.id, action: 'play', songId: c });

      // Here the playlist dropped it first.
      h.world.songs.delete(a);
      h.world.playlists.get(paused.playlists[0].id)!.songIds = [b];
      await h.publish('catalog', 'song.deleted', { songId: a, uploaderId: 1 });
      await h.realtime.next(paused.id, 'playback:state', (m) => m.payload.songId === b);
      expect(await h.rpc.call('stages.playback.get', { actor: host, id: paused.id })).toMatchObject({ songId: b, paused: true, positionMs: 0 });
      expect((await h.rpc.call('stages.playback.get', { actor: host, id: other.id })).songId).toBe(c);
    });
  });

  describe('playlist.deleted', () => {
    it('takes the playlist off every stage, moving on where it was playing, and tells subscribers', async () => {
      const host = h.addUser();
      const [a, b] = [h.addSong(), h.addSong()];
      const [gone, kept] = [h.addPlaylist([a]), h.addPlaylist([b])];
      const playing = await h.rpc.call('stages.stage.create', { actor: host, name: 'Playing', playlistIds: [gone, kept] });
      const idle = await h.rpc.call('stages.stage.create', { actor: host, name: 'Idle', playlistIds: [kept, gone] });
      await h.rpc.call('stages.playback.control', { actor: host, id: playing.id, action: 'play', songId: a });

      h.world.playlists.delete(gone);
      await h.publish('playlists', 'playlist.deleted', { playlistId: gone, ownerId: 1 });
      await h.eventsHandled(STAGE_CONSUMERS.playlistDeleted);
      for (const stage of [playing, idle]) {
        const updated = await h.realtime.next(stage.id, 'stage:updated', (m) => m.payload.playlists.length === 1);
        expect(updated.payload.playlists).toEqual([{ id: kept, name: expect.any(String) }]);
      }
      await h.realtime.next(playing.id, 'playback:state', (m) => m.payload.songId === b);
      expect((await h.rpc.call('stages.stage.get', { actor: host, id: playing.id })).nowPlaying.songId).toBe(b);
    });
  });

  describe('user.deleted', () => {
    it('takes the user out of every stage, ends the ones they host, and refuses their old token', async () => {
      const [gone, host, guest] = [h.addUser(), h.addUser(), h.addUser()];
      const hosted = await h.rpc.call('stages.stage.create', { actor: gone, name: 'Theirs' });
      await h.rpc.call('stages.stage.join', { actor: guest, id: hosted.id });
      const joined = await h.rpc.call('stages.stage.create', { actor: host, name: 'Someone else' });
      await h.rpc.call('stages.stage.join', { actor: gone, id: joined.id });
      await h.rpc.call('stages.chat.send', { actor: gone, id: joined.id, message: 'soon gone' });
      await h.rpc.call('stages.chat.send', { actor: host, id: joined.id, message: 'still here' });

      await h.publish('identity', 'user.deleted', { userId: gone.id });
      await h.publish('identity', 'user.deleted', { userId: gone.id }); // a second delivery changes nothing
      await h.eventsHandled(STAGE_CONSUMERS.userDeleted);

      expect((await h.realtime.next(hosted.id, 'stage:ended')).payload).toEqual({ stageId: hosted.id });
      expect((await h.realtime.next(joined.id, 'participant:left')).payload).toEqual({ stageId: joined.id, user: gone });
      expect(h.realtime.of(joined.id, 'participant:left')).toHaveLength(1);
      expect(await rejection(h.rpc.call('stages.stage.get', { actor: guest, id: hosted.id }))).toMatchObject({
        status: 404,
        code: StagesErrorCode.StageNotFound,
      });
      const after = await h.rpc.call('stages.stage.get', { actor: host, id: joined.id });
      expect(after.participants!.map((p) => p.id)).toEqual([host.id]);
      expect(after.participantCount).toBe(1);
      const history = await h.rpc.call('stages.chat.list', { actor: host, id: joined.id, limit: 10 });
      expect(history.items.map((m) => m.message)).toEqual(['still here']);
      // Their access token still verifies at the gateway for a while: the service refuses it.
      expect(await rejection(h.rpc.call('stages.stage.join', { actor: gone, id: joined.id }))).toMatchObject({ status: 401 });
      expect(await rejection(h.rpc.call('stages.stage.create', { actor: gone, name: 'Again' }))).toMatchObject({ status: 401 });
    });
  });

  describe('user.updated', () => {
    it('shows the new username of a host, and ignores an older rename delivered late', async () => {
      const host = h.addUser();
      const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Renamed host' });
      await h.publish('identity', 'user.updated', { userId: host.id, username: 'new_name', fields: ['username'] });
      await h.publish(
        'identity',
        'user.updated',
        { userId: host.id, username: 'old_name', fields: ['username'] },
        { occurredAt: new Date(Date.now() - 60_000) },
      );
      await h.eventsHandled(STAGE_CONSUMERS.userUpdated);
      expect((await h.rpc.call('stages.stage.get', { actor: host, id: stage.id })).host).toEqual({ id: host.id, username: 'new_name' });
    });
  });
});
