import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StagesErrorCode } from '@octave/contracts';
import { rejection } from '@octave/platform/testing';
import { startStagesHarness, type StagesHarness } from '../testing/stages-harness.js';

const MAX = 4;

describe('stages: rooms', () => {
  let h: StagesHarness;

  beforeAll(async () => {
    h = await startStagesHarness('stages_rooms', { MAX_STAGE_PARTICIPANTS: String(MAX) });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('creates a stage whose host is its first participant, with its genres and playlists in order', async () => {
    const host = h.addUser();
    const [rock, jazz] = [h.addGenre('Rock'), h.addGenre('jazz')];
    const [p1, p2] = [h.addPlaylist([h.addSong()], 'Warm-up'), h.addPlaylist([], 'Main')];
    const stage = await h.rpc.call('stages.stage.create', {
      actor: host,
      name: '  Friday night  ',
      genreIds: [rock.id, jazz.id],
      playlistIds: [p2, p1],
    });
    expect(stage).toMatchObject({
      name: 'Friday night',
      coverUrl: null,
      host,
      genres: [jazz, rock],
      playlists: [
        { id: p2, name: 'Main' },
        { id: p1, name: 'Warm-up' },
      ],
      participantCount: 1,
      nowPlaying: { songId: null, positionMs: 0, paused: true, startedAt: null },
    });
    expect(stage.participants).toBeUndefined();
    const got = await h.rpc.call('stages.stage.get', { actor: h.addUser(), id: stage.id });
    expect(got.participants).toEqual([{ id: host.id, username: host.username, avatarUrl: `http://avatars.test/${host.id}.png` }]);
  });

  it('refuses unknown genres and playlists (404) and invalid input (400)', async () => {
    const host = h.addUser();
    expect(await rejection(h.rpc.call('stages.stage.create', { actor: host, name: 'x', genreIds: [999_999] }))).toMatchObject({
      status: 404,
      code: 'GENRE_NOT_FOUND',
    });
    expect(await rejection(h.rpc.call('stages.stage.create', { actor: host, name: 'x', playlistIds: [999_999] }))).toMatchObject({
      status: 404,
      code: 'PLAYLIST_NOT_FOUND',
    });
    const invalid = await rejection(h.rpc.call('stages.stage.create', { actor: host, name: '   ', genreIds: [0] }));
    expect(invalid.status).toBe(400);
    expect(invalid.details).toHaveLength(2);
  });

  it('lets people join (idempotently), tells everyone, and counts them', async () => {
    const host = h.addUser();
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Join me' });
    const guest = h.addUser();
    const joined = await h.rpc.call('stages.stage.join', { actor: guest, id: stage.id });
    expect(joined.participantCount).toBe(2);
    expect((await h.rpc.call('stages.stage.join', { actor: guest, id: stage.id })).participantCount).toBe(2);
    expect((await h.rpc.call('stages.stage.join', { actor: host, id: stage.id })).participantCount).toBe(2);
    const announced = await h.realtime.next(stage.id, 'participant:joined');
    expect(announced.payload).toEqual({
      stageId: stage.id,
      user: { id: guest.id, username: guest.username, avatarUrl: `http://avatars.test/${guest.id}.png` },
    });
    expect(h.realtime.of(stage.id, 'participant:joined')).toHaveLength(1);
    const got = await h.rpc.call('stages.stage.get', { actor: guest, id: stage.id });
    expect(got.participants!.map((p) => p.id)).toEqual([host.id, guest.id]);
  });

  it('refuses a user the host blocked (403), and lets everyone else in', async () => {
    const [host, blocked, blocker] = [h.addUser(), h.addUser(), h.addUser()];
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'No trolls' });
    h.world.blocks.add(`${host.id}:${blocked.id}`);
    h.world.blocks.add(`${blocker.id}:${host.id}`);
    expect(await rejection(h.rpc.call('stages.stage.join', { actor: blocked, id: stage.id }))).toMatchObject({
      status: 403,
      code: StagesErrorCode.Blocked,
    });
    // Blocking the host is the blocker's own choice; the host has not refused them.
    expect((await h.rpc.call('stages.stage.join', { actor: blocker, id: stage.id })).participantCount).toBe(2);
  });

  it(`refuses a join past MAX_STAGE_PARTICIPANTS (${MAX}) with 409, even when many join at once`, async () => {
    const stage = await h.rpc.call('stages.stage.create', { actor: h.addUser(), name: 'Small room' });
    const users = Array.from({ length: 8 }, () => h.addUser());
    const results = await Promise.allSettled(users.map((u) => h.rpc.call('stages.stage.join', { actor: u, id: stage.id })));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.length - refused.length).toBe(MAX - 1);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 409, code: StagesErrorCode.Full });
    const got = await h.rpc.call('stages.stage.get', { actor: users[0], id: stage.id });
    expect(got.participantCount).toBe(MAX);
    expect(got.participants).toHaveLength(MAX);
  });

  it('kicks a user out for good: they leave at once and cannot rejoin (403); host only', async () => {
    const [host, guest, other] = [h.addUser(), h.addUser(), h.addUser()];
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Strict' });
    await h.rpc.call('stages.stage.join', { actor: guest, id: stage.id });
    await h.rpc.call('stages.stage.join', { actor: other, id: stage.id });
    expect(await rejection(h.rpc.call('stages.stage.kick', { actor: other, id: stage.id, userId: guest.id }))).toMatchObject({
      status: 403,
      code: StagesErrorCode.NotHost,
    });
    expect(await rejection(h.rpc.call('stages.stage.kick', { actor: host, id: stage.id, userId: host.id }))).toMatchObject({
      status: 400,
    });
    await h.rpc.call('stages.stage.kick', { actor: host, id: stage.id, userId: guest.id });
    expect((await h.realtime.next(stage.id, 'participant:kicked')).payload).toEqual({ stageId: stage.id, userId: guest.id });
    expect(await rejection(h.rpc.call('stages.stage.join', { actor: guest, id: stage.id }))).toMatchObject({
      status: 403,
      code: StagesErrorCode.Kicked,
    });
    const got = await h.rpc.call('stages.stage.get', { actor: host, id: stage.id });
    expect(got.participants!.map((p) => p.id)).toEqual([host.id, other.id]);
    expect(got.participantCount).toBe(2);
  });

  it('lets a participant leave (told as participant:left); the host leaving ends the stage', async () => {
    const [host, guest] = [h.addUser(), h.addUser()];
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Short' });
    await h.rpc.call('stages.stage.join', { actor: guest, id: stage.id });
    await h.rpc.call('stages.stage.leave', { actor: guest, id: stage.id });
    expect((await h.realtime.next(stage.id, 'participant:left')).payload).toEqual({ stageId: stage.id, user: guest });
    // Leaving again changes nothing.
    await h.rpc.call('stages.stage.leave', { actor: guest, id: stage.id });
    expect((await h.rpc.call('stages.stage.get', { actor: guest, id: stage.id })).participantCount).toBe(1);

    await h.rpc.call('stages.stage.leave', { actor: host, id: stage.id });
    expect((await h.realtime.next(stage.id, 'stage:ended')).payload).toEqual({ stageId: stage.id });
    expect(await rejection(h.rpc.call('stages.stage.get', { actor: host, id: stage.id }))).toMatchObject({
      status: 404,
      code: StagesErrorCode.StageNotFound,
    });
    expect(await rejection(h.rpc.call('stages.stage.join', { actor: guest, id: stage.id }))).toMatchObject({ status: 404 });
  });

  it('lets only the host end the stage, edit it and change its playlists, telling subscribers', async () => {
    const [host, guest] = [h.addUser(), h.addUser()];
    const genre = h.addGenre();
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Before' });
    await h.rpc.call('stages.stage.join', { actor: guest, id: stage.id });
    const playlist = h.addPlaylist([h.addSong()], 'Added');
    for (const call of [
      h.rpc.call('stages.stage.update', { actor: guest, id: stage.id, name: 'Mine' }),
      h.rpc.call('stages.stage.end', { actor: guest, id: stage.id }),
      h.rpc.call('stages.stage.playlist.add', { actor: guest, id: stage.id, playlistId: playlist }),
      h.rpc.call('stages.playback.control', { actor: guest, id: stage.id, action: 'next' }),
    ]) {
      expect(await rejection(call)).toMatchObject({ status: 403, code: StagesErrorCode.NotHost });
    }

    const updated = await h.rpc.call('stages.stage.update', { actor: host, id: stage.id, name: 'After', genreIds: [genre.id] });
    expect(updated).toMatchObject({ name: 'After', genres: [genre] });
    expect((await h.realtime.next(stage.id, 'stage:updated')).payload).toMatchObject({ name: 'After' });

    const withPlaylist = await h.rpc.call('stages.stage.playlist.add', { actor: host, id: stage.id, playlistId: playlist });
    expect(withPlaylist.playlists).toEqual([{ id: playlist, name: 'Added' }]);
    // Attaching it again changes nothing.
    expect((await h.rpc.call('stages.stage.playlist.add', { actor: host, id: stage.id, playlistId: playlist })).playlists).toHaveLength(1);
    await h.realtime.next(stage.id, 'stage:updated', (m) => m.payload.playlists.length === 1);
    // A renamed playlist shows its current name.
    h.world.playlists.get(playlist)!.name = 'Renamed';
    expect((await h.rpc.call('stages.stage.get', { actor: host, id: stage.id })).playlists).toEqual([{ id: playlist, name: 'Renamed' }]);

    const detached = await h.rpc.call('stages.stage.playlist.remove', { actor: host, id: stage.id, playlistId: playlist });
    expect(detached.playlists).toEqual([]);
    expect(
      await rejection(h.rpc.call('stages.stage.playlist.remove', { actor: host, id: stage.id, playlistId: playlist })),
    ).toMatchObject({ status: 404 });

    await h.rpc.call('stages.stage.end', { actor: host, id: stage.id });
    await h.realtime.next(stage.id, 'stage:ended');
    expect(await rejection(h.rpc.call('stages.stage.end', { actor: host, id: stage.id }))).toMatchObject({ status: 404 });
  });

  it('lists live stages, most participants first, by genre, host or friends, page by page', async () => {
    const genre = h.addGenre();
    const [a, b, c, friend, me, stranger] = Array.from({ length: 6 }, () => h.addUser());
    const small = await h.rpc.call('stages.stage.create', { actor: a, name: 'small', genreIds: [genre.id] });
    const big = await h.rpc.call('stages.stage.create', { actor: b, name: 'big', genreIds: [genre.id] });
    const ended = await h.rpc.call('stages.stage.create', { actor: c, name: 'ended', genreIds: [genre.id] });
    await h.rpc.call('stages.stage.end', { actor: c, id: ended.id });
    await h.rpc.call('stages.stage.join', { actor: friend, id: big.id });
    await h.rpc.call('stages.stage.join', { actor: stranger, id: big.id });
    h.world.friends.set(me.id, new Set([friend.id, a.id]));

    const byGenre = await h.rpc.call('stages.stage.list', { actor: me, limit: 10, genreId: genre.id });
    expect(byGenre.items.map((s) => [s.id, s.participantCount])).toEqual([
      [big.id, 3],
      [small.id, 1],
    ]);
    expect(byGenre.nextCursor).toBeNull();

    const first = await h.rpc.call('stages.stage.list', { actor: me, limit: 1, genreId: genre.id });
    expect(first.items.map((s) => s.id)).toEqual([big.id]);
    const second = await h.rpc.call('stages.stage.list', { actor: me, limit: 1, genreId: genre.id, cursor: first.nextCursor! });
    expect(second.items.map((s) => s.id)).toEqual([small.id]);
    expect(second.nextCursor).toBeNull();

    expect((await h.rpc.call('stages.stage.list', { actor: me, limit: 10, hostId: a.id })).items.map((s) => s.id)).toEqual([small.id]);
    // Hosted by a friend (small) or joined by one (big).
    const friends = await h.rpc.call('stages.stage.list', { actor: me, limit: 10, friends: true });
    expect(friends.items.map((s) => s.id)).toEqual([big.id, small.id]);
    expect((await h.rpc.call('stages.stage.list', { actor: stranger, limit: 10, friends: true })).items).toEqual([]);
    expect(await rejection(h.rpc.call('stages.stage.list', { actor: me, limit: 10, cursor: 'nonsense' }))).toMatchObject({
      status: 400,
    });
  });

  it('answers 404 for unknown stages and ids that are not ids', async () => {
    const actor = h.addUser();
    for (const id of [999_999, 0, -1, 1.5]) {
      expect(await rejection(h.rpc.call('stages.stage.get', { actor, id }))).toMatchObject({ status: 404 });
    }
  });

  it('lets only participants subscribe, with the stage, its participants and the playback', async () => {
    const [host, outsider] = [h.addUser(), h.addUser()];
    const stage = await h.rpc.call('stages.stage.create', { actor: host, name: 'Live' });
    const sub = await h.rpc.call('stages.stage.subscribe', { actor: host, id: stage.id });
    expect(sub.stage.participants).toHaveLength(1);
    expect(sub.playback).toMatchObject({ songId: null, paused: true });
    expect(await rejection(h.rpc.call('stages.stage.subscribe', { actor: outsider, id: stage.id }))).toMatchObject({
      status: 403,
      code: StagesErrorCode.NotParticipant,
    });
  });
});
