import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Actor, type PlaybackDto, StagesErrorCode } from '@octave/contracts';
import { rejection } from '@octave/platform/testing';
import { startStagesHarness, type StagesHarness } from '../testing/stages-harness.js';

/** Where a client would be in the song at `at`, from an answer (API.md, `Playback`). */
function clientPosition(p: PlaybackDto, at = Date.now()): number {
  return p.paused ? p.positionMs : p.positionMs + (at - Date.parse(p.serverTime));
}

describe('stages: playback', () => {
  let h: StagesHarness;

  beforeAll(async () => {
    h = await startStagesHarness('stages_playback');
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** A stage with two playlists: [a, b] then [c]; each song `durationMs` long. */
  async function stageWithQueue(durationMs = 120_000) {
    const host = h.addUser();
    const [a, b, c] = [h.addSong(durationMs), h.addSong(durationMs), h.addSong(durationMs)];
    const [p1, p2] = [h.addPlaylist([a, b]), h.addPlaylist([c])];
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Queue', playlistIds: [p1, p2] });
    return { host, stage, songs: { a, b, c }, playlists: { p1, p2 } };
  }

  const control = (actor: Actor, id: number, action: 'play' | 'pause' | 'resume' | 'seek' | 'next' | 'previous', extra = {}) =>
    h.rpc.call('stages.playback.control', { actor, id, action, ...extra });

  it('plays a song of the queue for everyone, its position moving with the server clock', async () => {
    const { host, stage, songs } = await stageWithQueue();
    const guest = h.addUser();
    await h.rpc.call('stages.stage.join', { actor: guest, id: stage.id });

    const played = await control(host, stage.id, 'play', { songId: songs.b, positionMs: 10_000 });
    expect(played).toMatchObject({ songId: songs.b, paused: false });
    expect(played.positionMs).toBeGreaterThanOrEqual(10_000);
    expect(Date.parse(played.startedAt!)).toBeLessThanOrEqual(Date.parse(played.serverTime) - 10_000);
    const announced = await h.realtime.next(stage.id, 'playback:state', (m) => m.payload.songId === songs.b);
    expect(announced.payload).toMatchObject({ stageId: stage.id, songId: songs.b, paused: false });

    await new Promise((r) => setTimeout(r, 300));
    const later = await h.rpc.call('stages.playback.get', { actor: guest, id: stage.id });
    // Computed from the stored clock when asked: never stale.
    expect(later.positionMs).toBeGreaterThanOrEqual(10_300);
    expect(Math.abs(clientPosition(later) - clientPosition(played))).toBeLessThan(100);
    expect((await h.rpc.call('stages.stage.get', { actor: guest, id: stage.id })).nowPlaying.songId).toBe(songs.b);
  });

  it('pauses, resumes and seeks, each answered and announced with the new state', async () => {
    const { host, stage, songs } = await stageWithQueue();
    await control(host, stage.id, 'play', { songId: songs.a });
    const paused = await control(host, stage.id, 'pause');
    expect(paused.paused).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const still = await h.rpc.call('stages.playback.get', { actor: host, id: stage.id });
    expect(still.positionMs).toBe(paused.positionMs);
    // Pausing again changes nothing and tells nobody.
    const before = h.realtime.of(stage.id, 'playback:state').length;
    expect((await control(host, stage.id, 'pause')).positionMs).toBe(paused.positionMs);

    const seeked = await control(host, stage.id, 'seek', { positionMs: 60_000 });
    expect(seeked).toMatchObject({ positionMs: 60_000, paused: true });
    const resumed = await control(host, stage.id, 'resume');
    expect(resumed.paused).toBe(false);
    expect(resumed.positionMs).toBeGreaterThanOrEqual(60_000);
    expect(resumed.positionMs).toBeLessThan(61_000);
    await h.realtime.next(stage.id, 'playback:state', (m) => !m.payload.paused && m.payload.positionMs >= 60_000);
    // seek and resume: two announcements, the second pause none.
    expect(h.realtime.of(stage.id, 'playback:state').length - before).toBe(2);
  });

  it('goes to the next and previous songs across playlists, and stops past the last', async () => {
    const { host, stage, songs } = await stageWithQueue();
    expect((await control(host, stage.id, 'next')).songId).toBe(songs.a);
    expect((await control(host, stage.id, 'next')).songId).toBe(songs.b);
    expect((await control(host, stage.id, 'next')).songId).toBe(songs.c);
    expect((await control(host, stage.id, 'previous')).songId).toBe(songs.b);
    await control(host, stage.id, 'next');
    const stopped = await control(host, stage.id, 'next');
    expect(stopped).toMatchObject({ songId: null, positionMs: 0, paused: true, startedAt: null });
    expect((await control(host, stage.id, 'previous')).songId).toBe(songs.a);
    expect((await control(host, stage.id, 'previous')).songId).toBe(songs.a);
  });

  it('skips songs the catalog no longer has', async () => {
    const { host, stage, songs } = await stageWithQueue();
    await control(host, stage.id, 'play', { songId: songs.a });
    h.world.songs.delete(songs.b);
    expect((await control(host, stage.id, 'next')).songId).toBe(songs.c);
  });

  it('refuses what cannot be played: 400 for songs outside the queue and positions outside the song, 409 with nothing loaded', async () => {
    const { host, stage, songs } = await stageWithQueue(30_000);
    expect(await rejection(control(host, stage.id, 'pause'))).toMatchObject({ status: 409 });
    expect(await rejection(control(host, stage.id, 'seek', { positionMs: 5 }))).toMatchObject({ status: 409 });
    expect(await rejection(control(host, stage.id, 'play', { songId: h.addSong() }))).toMatchObject({
      status: 400,
      code: StagesErrorCode.SongNotInQueue,
    });
    expect(await rejection(control(host, stage.id, 'play'))).toMatchObject({ status: 400 });
    expect(await rejection(control(host, stage.id, 'play', { songId: songs.a, positionMs: 30_000 }))).toMatchObject({ status: 400 });
    await control(host, stage.id, 'play', { songId: songs.a });
    expect(await rejection(control(host, stage.id, 'seek', { positionMs: 30_000 }))).toMatchObject({ status: 400 });
    expect(await rejection(control(host, stage.id, 'seek', { positionMs: -1 }))).toMatchObject({ status: 400 });
    expect(await rejection(control(host, stage.id, 'seek'))).toMatchObject({ status: 400 });
    expect(await rejection(h.rpc.call('stages.playback.control', { actor: host, id: stage.id, action: 'rewind' as 'play' }))).toMatchObject({
      status: 400,
    });
    const empty = await h.rpc.call('stages.stage.create', { actor: host, name: 'Empty' });
    expect(await rejection(control(host, empty.id, 'next'))).toMatchObject({ status: 409 });
  });

  it('shows the playback to participants only', async () => {
    const { stage } = await stageWithQueue();
    expect(await rejection(h.rpc.call('stages.playback.get', { actor: h.addUser(), id: stage.id }))).toMatchObject({
      status: 403,
      code: StagesErrorCode.NotParticipant,
    });
  });

  it('starts the next song by itself at the end of one, on time, and announces it once', async () => {
    const host = h.addUser();
    const [short, next, last] = [h.addSong(700), h.addSong(60_000), h.addSong(60_000)];
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Auto', playlistIds: [h.addPlaylist([short, next, last])] });
    const played = await control(host, stage.id, 'play', { songId: short });
    const end = Date.parse(played.startedAt!) + 700;

    const advanced = await h.realtime.next(stage.id, 'playback:state', (m) => m.payload.songId === next, 5_000);
    expect(advanced.payload.paused).toBe(false);
    // The next song started where the last ended, not whenever the scheduler got to it.
    expect(Date.parse(advanced.payload.startedAt!)).toBe(end);
    const now = await h.rpc.call('stages.playback.get', { actor: host, id: stage.id });
    expect(now.songId).toBe(next);
    expect(now.positionMs).toBeGreaterThanOrEqual(Date.parse(now.serverTime) - end - 5);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.realtime.of(stage.id, 'playback:state').filter((m) => m.payload.songId === next)).toHaveLength(1);
  });

  it('stops at the end of the queue', async () => {
    const host = h.addUser();
    const only = h.addSong(400);
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'One song', playlistIds: [h.addPlaylist([only])] });
    await control(host, stage.id, 'play', { songId: only });
    await h.realtime.next(stage.id, 'playback:state', (m) => m.payload.songId === null, 5_000);
    expect(await h.rpc.call('stages.playback.get', { actor: host, id: stage.id })).toMatchObject({ songId: null, paused: true });
  });

  it('does not move on while paused, however long past the song would have ended', async () => {
    const host = h.addUser();
    const [short, next] = [h.addSong(500), h.addSong(60_000)];
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Paused', playlistIds: [h.addPlaylist([short, next])] });
    await control(host, stage.id, 'play', { songId: short, positionMs: 100 });
    await control(host, stage.id, 'pause');
    await new Promise((r) => setTimeout(r, 800));
    expect((await h.rpc.call('stages.playback.get', { actor: host, id: stage.id })).songId).toBe(short);
    await control(host, stage.id, 'resume');
    await h.realtime.next(stage.id, 'playback:state', (m) => m.payload.songId === next, 5_000);
  });

  it('moves on when the host detaches the playlist that is playing', async () => {
    const { host, stage, songs, playlists } = await stageWithQueue();
    await control(host, stage.id, 'play', { songId: songs.a });
    const detached = await h.rpc.call('stages.stage.playlist.remove', { actor: host, id: stage.id, playlistId: playlists.p1 });
    expect(detached.nowPlaying).toMatchObject({ songId: songs.c, paused: false });
    expect(detached.playlists.map((p) => p.id)).toEqual([playlists.p2]);
    await h.realtime.next(stage.id, 'playback:state', (m) => m.payload.songId === songs.c);
    // Detaching another playlist leaves the song alone.
    const other = h.addPlaylist([h.addSong()]);
    await h.rpc.call('stages.stage.playlist.add', { actor: host, id: stage.id, playlistId: other });
    const kept = await h.rpc.call('stages.stage.playlist.remove', { actor: host, id: stage.id, playlistId: other });
    expect(kept.nowPlaying.songId).toBe(songs.c);
  });
});
