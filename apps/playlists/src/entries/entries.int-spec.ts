import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PlaylistsErrorCode, type Actor, type PlaylistDto, type SongDto } from '@octave/contracts';
import { rejection } from '@octave/platform/testing';
import { startPlaylistsHarness, type PlaylistsHarness } from '../testing/playlists-harness.js';

/** Small, so a full playlist is quick to reach; 12 concurrent adds still fit. */
const MAX_PLAYLIST_SONGS = 15;

let h: PlaylistsHarness;

beforeAll(async () => {
  h = await startPlaylistsHarness('playlists_entries', { MAX_PLAYLIST_SONGS: String(MAX_PLAYLIST_SONGS) });
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

async function playlistOf(owner: Actor, songs: SongDto[] = []): Promise<PlaylistDto> {
  const playlist = await h.rpc.call('playlists.playlist.create', { actor: owner, name: 'Entries' });
  for (const song of songs) {
    await h.rpc.call('playlists.entry.add', { actor: owner, playlistId: playlist.id, songId: song.id });
  }
  return playlist;
}

const get = (id: number) => h.rpc.call('playlists.playlist.get', { id });

/** The playlist's entries as `[position, songId]`, in the order answered. */
async function order(id: number): Promise<[number, number][]> {
  return (await get(id)).songs!.map((e) => [e.position, e.song.id]);
}

/** Positions 0..n-1 in order, and the songs in the order expected. */
function expectSongs(actual: [number, number][], songIds: number[]): void {
  expect(actual).toEqual(songIds.map((id, i) => [i, id]));
}

describe('adding songs', () => {
  it('appends by default and answers the entry with the song as the catalog shows it', async () => {
    const ada = h.addUser();
    const playlist = await playlistOf(ada);
    const song = h.addSong({ durationMs: 200_000 });
    const entry = await h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id });
    expect(entry).toEqual({ id: expect.any(Number), position: 0, song });
    const second = await h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id });
    expect(second).toMatchObject({ position: 1, song });
    expect(second.id).not.toBe(entry.id);

    const got = await get(playlist.id);
    expect(got).toMatchObject({ songCount: 2, durationMs: 400_000 });
    expect(got.songs).toEqual([entry, second]);
    expect(Date.parse(got.updatedAt)).toBeGreaterThanOrEqual(Date.parse(playlist.updatedAt));
  });

  it('inserts at a position, shifting the entries from there on; n (the end) is allowed', async () => {
    const ada = h.addUser();
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => h.addSong());
    const playlist = await playlistOf(ada, [a, b]);
    await h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: c.id, position: 0 });
    await h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: d.id, position: 2 });
    await h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: e.id, position: 4 });
    expectSongs(await order(playlist.id), [c.id, a.id, d.id, b.id, e.id]);
  });

  it('refuses a position beyond the end (400) and a malformed one, adding nothing', async () => {
    const ada = h.addUser();
    const song = h.addSong();
    const playlist = await playlistOf(ada, [song]);
    const beyond = await rejection(
      h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id, position: 2 }),
    );
    expect(beyond).toMatchObject({ status: 400, code: PlaylistsErrorCode.InvalidPosition });
    for (const position of [-1, 1.5]) {
      expect(
        await rejection(h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id, position })),
      ).toMatchObject({ status: 400, code: PlaylistsErrorCode.ValidationFailed });
    }
    expectSongs(await order(playlist.id), [song.id]);
  });

  it('answers 404 for a song the catalog does not have, and for an unknown playlist', async () => {
    const ada = h.addUser();
    const playlist = await playlistOf(ada);
    expect(
      await rejection(h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: 424_242 })),
    ).toMatchObject({ status: 404, code: PlaylistsErrorCode.SongNotFound });
    expect(
      await rejection(h.rpc.call('playlists.entry.add', { actor: ada, playlistId: 999_999, songId: h.addSong().id })),
    ).toMatchObject({ status: 404, code: PlaylistsErrorCode.PlaylistNotFound });
    expect((await get(playlist.id)).songCount).toBe(0);
  });

  it('refuses more than MAX_PLAYLIST_SONGS entries with a 409', async () => {
    const ada = h.addUser();
    const song = h.addSong();
    const playlist = await playlistOf(ada, Array.from({ length: MAX_PLAYLIST_SONGS }, () => song));
    expect(
      await rejection(h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id })),
    ).toMatchObject({ status: 409, code: PlaylistsErrorCode.PlaylistFull });
    expect((await get(playlist.id)).songCount).toBe(MAX_PLAYLIST_SONGS);
  });

  it('keeps positions dense under 12 concurrent adds: all succeed, at 0..11', async () => {
    const ada = h.addUser();
    const playlist = await playlistOf(ada);
    const songs = Array.from({ length: 12 }, () => h.addSong());
    const entries = await Promise.all(
      songs.map((song) => h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id })),
    );
    expect(entries.map((e) => e.position).sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    const got = await get(playlist.id);
    expect(got.songs!.map((e) => e.position)).toEqual([...Array(12).keys()]);
    // Each entry is where its add said it was.
    for (const entry of entries) expect(got.songs![entry.position]).toMatchObject({ id: entry.id, song: { id: entry.song.id } });
    expect(got.durationMs).toBe(songs.reduce((sum, s) => sum + s.durationMs, 0));
  });

  it('keeps positions dense under concurrent adds at the front, moves and removals', async () => {
    const ada = h.addUser();
    const start = Array.from({ length: 6 }, () => h.addSong());
    const playlist = await playlistOf(ada, start);
    const entries = (await get(playlist.id)).songs!;
    const extra = Array.from({ length: 4 }, () => h.addSong());
    await Promise.all([
      ...extra.map((song) =>
        h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id, position: 0 }),
      ),
      // Valid whatever runs first: the playlist never holds fewer than 4 entries.
      h.rpc.call('playlists.entry.move', { actor: ada, playlistId: playlist.id, entryId: entries[0].id, position: 3 }),
      h.rpc.call('playlists.entry.remove', { actor: ada, playlistId: playlist.id, entryId: entries[3].id }),
      h.rpc.call('playlists.entry.remove', { actor: ada, playlistId: playlist.id, entryId: entries[5].id }),
    ]);
    const positions = (await get(playlist.id)).songs!.map((e) => e.position);
    expect(positions).toEqual([...Array(8).keys()]);
  });
});

describe('moving and removing', () => {
  it('moves an entry down and up; the others shift and positions stay 0..n-1', async () => {
    const ada = h.addUser();
    const [a, b, c, d] = Array.from({ length: 4 }, () => h.addSong());
    const playlist = await playlistOf(ada, [a, b, c, d]);
    const [ea, , , ed] = (await get(playlist.id)).songs!;

    const moved = await h.rpc.call('playlists.entry.move', { actor: ada, playlistId: playlist.id, entryId: ea.id, position: 2 });
    expect(moved.songs!.map((e) => [e.position, e.song.id])).toEqual([
      [0, b.id],
      [1, c.id],
      [2, a.id],
      [3, d.id],
    ]);
    expect(moved.songs![2].id).toBe(ea.id);
    expect(moved).toMatchObject({ songCount: 4 });

    await h.rpc.call('playlists.entry.move', { actor: ada, playlistId: playlist.id, entryId: ed.id, position: 0 });
    expectSongs(await order(playlist.id), [d.id, b.id, c.id, a.id]);
    // To where it already is: nothing changes.
    await h.rpc.call('playlists.entry.move', { actor: ada, playlistId: playlist.id, entryId: ed.id, position: 0 });
    expectSongs(await order(playlist.id), [d.id, b.id, c.id, a.id]);
  });

  it('refuses a position outside 0..n-1 (400) and an entry of another playlist (404)', async () => {
    const ada = h.addUser();
    const song = h.addSong();
    const playlist = await playlistOf(ada, [song, song]);
    const other = await playlistOf(ada, [song]);
    const [entry] = (await get(playlist.id)).songs!;
    const [foreign] = (await get(other.id)).songs!;
    expect(
      await rejection(h.rpc.call('playlists.entry.move', { actor: ada, playlistId: playlist.id, entryId: entry.id, position: 2 })),
    ).toMatchObject({ status: 400, code: PlaylistsErrorCode.InvalidPosition });
    expect(
      await rejection(h.rpc.call('playlists.entry.move', { actor: ada, playlistId: playlist.id, entryId: foreign.id, position: 0 })),
    ).toMatchObject({ status: 404, code: PlaylistsErrorCode.EntryNotFound });
    expect(
      await rejection(h.rpc.call('playlists.entry.remove', { actor: ada, playlistId: playlist.id, entryId: foreign.id })),
    ).toMatchObject({ status: 404, code: PlaylistsErrorCode.EntryNotFound });
    expect((await get(other.id)).songCount).toBe(1);
  });

  it('removes an entry from the middle; the positions close up', async () => {
    const ada = h.addUser();
    const [a, b, c] = Array.from({ length: 3 }, () => h.addSong());
    const playlist = await playlistOf(ada, [a, b, c, b]);
    const entries = (await get(playlist.id)).songs!;
    await expect(
      h.rpc.call('playlists.entry.remove', { actor: ada, playlistId: playlist.id, entryId: entries[1].id }),
    ).resolves.toEqual({ ok: true });
    expectSongs(await order(playlist.id), [a.id, c.id, b.id]);
    await h.rpc.call('playlists.entry.remove', { actor: ada, playlistId: playlist.id, entryId: entries[0].id });
    expectSongs(await order(playlist.id), [c.id, b.id]);
    const got = await get(playlist.id);
    expect(got).toMatchObject({ songCount: 2, durationMs: c.durationMs + b.durationMs });
  });
});

describe('only the owner changes the entries', () => {
  it('answers 403 to anyone else adding, moving or removing, and changes nothing', async () => {
    const ada = h.addUser();
    const bob = h.addUser();
    const [a, b] = [h.addSong(), h.addSong()];
    const playlist = await playlistOf(ada, [a, b]);
    const [entry] = (await get(playlist.id)).songs!;
    for (const call of [
      h.rpc.call('playlists.entry.add', { actor: bob, playlistId: playlist.id, songId: a.id }),
      h.rpc.call('playlists.entry.move', { actor: bob, playlistId: playlist.id, entryId: entry.id, position: 1 }),
      h.rpc.call('playlists.entry.remove', { actor: bob, playlistId: playlist.id, entryId: entry.id }),
    ]) {
      expect(await rejection(call)).toMatchObject({ status: 403, code: PlaylistsErrorCode.NotPlaylistOwner });
    }
    expectSongs(await order(playlist.id), [a.id, b.id]);
  });
});

describe('song data', () => {
  it('comes from one catalog call per playlist read, whatever the number of entries', async () => {
    const ada = h.addUser();
    const songs = Array.from({ length: 5 }, () => h.addSong());
    const playlist = await playlistOf(ada, [...songs, songs[0], songs[1]]);
    h.songCalls.length = 0;
    const got = await get(playlist.id);
    expect(got.songs).toHaveLength(7);
    expect(h.songCalls).toHaveLength(1);
    expect([...h.songCalls[0]].sort()).toEqual(songs.map((s) => s.id).sort());

    // A page of playlists costs no catalog call: counts and durations are kept here.
    h.songCalls.length = 0;
    const page = await h.rpc.call('playlists.playlist.listByOwner', { ownerId: ada.id, limit: 20 });
    expect(page.items[0]).toMatchObject({
      id: playlist.id,
      songCount: 7,
      durationMs: songs.reduce((sum, s) => sum + s.durationMs, 0) + songs[0].durationMs + songs[1].durationMs,
    });
    expect(h.songCalls).toHaveLength(0);
  });

  it('skips a song the catalog is briefly missing, counting what is there', async () => {
    const ada = h.addUser();
    const [a, b, c] = Array.from({ length: 3 }, () => h.addSong());
    const playlist = await playlistOf(ada, [a, b, c]);
    h.hideSong(b.id);
    const got = await get(playlist.id);
    expect(got.songs!.map((e) => [e.position, e.song.id])).toEqual([
      [0, a.id],
      [2, c.id],
    ]);
    expect(got).toMatchObject({ songCount: 2, durationMs: a.durationMs + c.durationMs });
  });
});
