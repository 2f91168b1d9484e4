import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PlaylistsErrorCode, type Actor, type PlaylistDto } from '@octave/contracts';
import { rejection } from '@octave/platform/testing';
import { startPlaylistsHarness, type PlaylistsHarness } from '../testing/playlists-harness.js';

let h: PlaylistsHarness;

beforeAll(async () => {
  h = await startPlaylistsHarness('playlists_crud');
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

const create = (actor: Actor, name = 'Road trip', description?: string | null) =>
  h.rpc.call('playlists.playlist.create', { actor, name, ...(description !== undefined ? { description } : {}) });

describe('creating and reading', () => {
  it('creates an empty playlist owned by the actor, shown the same by get', async () => {
    const ada = h.addUser();
    const created = await create(ada, '  Road trip  ', 'Songs for the A7');
    expect(created).toEqual({
      id: expect.any(Number),
      name: 'Road trip',
      description: 'Songs for the A7',
      coverUrl: null,
      owner: { id: ada.id, username: ada.username },
      songCount: 0,
      durationMs: 0,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    expect(created).not.toHaveProperty('songs');

    const got = await h.rpc.call('playlists.playlist.get', { id: created.id });
    expect(got).toEqual({ ...created, songs: [] });
  });

  it('has a null description unless one is given', async () => {
    expect((await create(h.addUser(), 'Plain')).description).toBeNull();
  });

  it.each([
    ['an empty name', { name: '' }],
    ['a blank name', { name: '   ' }],
    ['a name of 101 characters', { name: 'x'.repeat(101) }],
    ['a name that is not a string', { name: 12 }],
    ['a description of 1001 characters', { name: 'ok', description: 'd'.repeat(1001) }],
  ])('refuses %s with a 400', async (_what, fields) => {
    const err = await rejection(
      h.rpc.call('playlists.playlist.create', { actor: h.addUser(), ...(fields as { name: string }) }),
    );
    expect(err).toMatchObject({ status: 400, code: PlaylistsErrorCode.ValidationFailed });
  });

  it('counts characters, not UTF-16 units: 100 emoji make a valid name', async () => {
    const name = '🎵'.repeat(100);
    expect((await create(h.addUser(), name)).name).toBe(name);
  });

  it('answers 404 for an unknown playlist', async () => {
    expect(await rejection(h.rpc.call('playlists.playlist.get', { id: 999_999 }))).toMatchObject({
      status: 404,
      code: PlaylistsErrorCode.PlaylistNotFound,
    });
  });
});

describe("a user's playlists", () => {
  it('lists them newest first, without songs, paged with an opaque cursor', async () => {
    const owner = h.addUser();
    const made: PlaylistDto[] = [];
    for (const name of ['one', 'two', 'three', 'four', 'five']) made.push(await create(owner, name));
    await create(h.addUser(), 'someone else');

    const first = await h.rpc.call('playlists.playlist.listByOwner', { ownerId: owner.id, limit: 2 });
    expect(first.items.map((p) => p.name)).toEqual(['five', 'four']);
    expect(first.items[0]).toEqual(made[4]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await h.rpc.call('playlists.playlist.listByOwner', {
      ownerId: owner.id,
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second.items.map((p) => p.name)).toEqual(['three', 'two']);
    const third = await h.rpc.call('playlists.playlist.listByOwner', {
      ownerId: owner.id,
      limit: 2,
      cursor: second.nextCursor!,
    });
    expect(third.items.map((p) => p.name)).toEqual(['one']);
    expect(third.nextCursor).toBeNull();
  });

  it('is an empty page for a user without playlists, and 404 for a user identity does not know', async () => {
    const quiet = h.addUser();
    expect(await h.rpc.call('playlists.playlist.listByOwner', { ownerId: quiet.id, limit: 20 })).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(
      await rejection(h.rpc.call('playlists.playlist.listByOwner', { ownerId: 777_777, limit: 20 })),
    ).toMatchObject({ status: 404, code: PlaylistsErrorCode.UserNotFound });
  });

  it('refuses a forged cursor and a bad limit with a 400', async () => {
    const owner = h.addUser();
    for (const req of [
      { ownerId: owner.id, limit: 20, cursor: 'not-a-cursor' },
      { ownerId: owner.id, limit: 0 },
      { ownerId: owner.id, limit: 101 },
    ]) {
      expect(await rejection(h.rpc.call('playlists.playlist.listByOwner', req))).toMatchObject({ status: 400 });
    }
  });
});

describe('changing and deleting', () => {
  it('renames and re-describes for the owner; null clears the description; updatedAt moves', async () => {
    const ada = h.addUser();
    const created = await create(ada, 'Draft', 'first take');
    const renamed = await h.rpc.call('playlists.playlist.update', { actor: ada, id: created.id, name: ' Final ' });
    expect(renamed).toMatchObject({ name: 'Final', description: 'first take' });
    expect(Date.parse(renamed.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    const cleared = await h.rpc.call('playlists.playlist.update', { actor: ada, id: created.id, description: null });
    expect(cleared).toMatchObject({ name: 'Final', description: null });
    expect(await h.rpc.call('playlists.playlist.get', { id: created.id })).toMatchObject({ name: 'Final', description: null });
  });

  it('lets nobody but the owner change or delete a playlist (403), and changes nothing then', async () => {
    const ada = h.addUser();
    const bob = h.addUser();
    const playlist = await create(ada, 'Mine');
    expect(
      await rejection(h.rpc.call('playlists.playlist.update', { actor: bob, id: playlist.id, name: 'Yours' })),
    ).toMatchObject({ status: 403, code: PlaylistsErrorCode.NotPlaylistOwner });
    expect(await rejection(h.rpc.call('playlists.playlist.delete', { actor: bob, id: playlist.id }))).toMatchObject({
      status: 403,
      code: PlaylistsErrorCode.NotPlaylistOwner,
    });
    expect(await h.rpc.call('playlists.playlist.get', { id: playlist.id })).toMatchObject({ name: 'Mine' });
  });

  it('deletes for the owner and records playlist.deleted in the same transaction', async () => {
    const ada = h.addUser();
    const playlist = await create(ada, 'Short-lived');
    await expect(h.rpc.call('playlists.playlist.delete', { actor: ada, id: playlist.id })).resolves.toEqual({ ok: true });
    expect(await rejection(h.rpc.call('playlists.playlist.get', { id: playlist.id }))).toMatchObject({ status: 404 });
    expect(await rejection(h.rpc.call('playlists.playlist.delete', { actor: ada, id: playlist.id }))).toMatchObject({
      status: 404,
    });
    const deleted = (await h.recorded()).filter((e) => e.type === 'playlist.deleted');
    expect(deleted.map((e) => e.data)).toContainEqual({ playlistId: playlist.id, ownerId: ada.id });
  });
});

describe('owner names', () => {
  it("shows the owner's newest username, kept from identity's user.updated", async () => {
    const ada = h.addUser();
    const playlist = await create(ada, 'Renamed owner');
    await h.renameUser(ada.id, 'ada.renamed');
    await h.eventsHandled();
    expect((await h.rpc.call('playlists.playlist.get', { id: playlist.id })).owner).toEqual({
      id: ada.id,
      username: 'ada.renamed',
    });
    // A later playlist made with an access token that still carries the old name keeps the new one.
    const later = await create(ada, 'Later');
    expect(later.owner.username).toBe('ada.renamed');
  });
});

describe('what stages ask', () => {
  it('answers summaries in the order asked, each once, leaving unknown ids out', async () => {
    const ada = h.addUser();
    const a = await create(ada, 'A');
    const b = await create(ada, 'B');
    expect(await h.rpc.call('playlists.playlist.getMany', { ids: [b.id, 999_998, a.id, b.id] })).toEqual([
      { id: b.id, name: 'B', ownerId: ada.id },
      { id: a.id, name: 'A', ownerId: ada.id },
    ]);
    expect(await h.rpc.call('playlists.playlist.getMany', { ids: [] })).toEqual([]);
    expect(await rejection(h.rpc.call('playlists.playlist.getMany', { ids: [0] }))).toMatchObject({ status: 400 });
  });

  it('answers the song ids of a playlist in order, repeats included; 404 for an unknown one', async () => {
    const ada = h.addUser();
    const playlist = await create(ada, 'Ids');
    const [s1, s2] = [h.addSong(), h.addSong()];
    for (const song of [s1, s2, s1]) {
      await h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id });
    }
    expect(await h.rpc.call('playlists.playlist.songIds', { id: playlist.id })).toEqual({
      id: playlist.id,
      songIds: [s1.id, s2.id, s1.id],
    });
    expect(await rejection(h.rpc.call('playlists.playlist.songIds', { id: 999_997 }))).toMatchObject({
      status: 404,
      code: PlaylistsErrorCode.PlaylistNotFound,
    });
  });
});
