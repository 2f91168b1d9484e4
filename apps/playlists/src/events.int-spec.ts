import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, PlaylistsErrorCode, type EventEnvelope, type PlaylistDto } from '@octave/contracts';
import { eventually, rejection, tinyPng } from '@octave/platform/testing';
import { startPlaylistsHarness, type PlaylistsHarness } from './testing/playlists-harness.js';

let h: PlaylistsHarness;

beforeAll(async () => {
  h = await startPlaylistsHarness('playlists_events');
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

const get = (id: number) => h.rpc.call('playlists.playlist.get', { id });

/** The envelopes published on `subject` so far, read straight from the stream. */
async function published<D>(subject: string): Promise<EventEnvelope<D>[]> {
  const jsm = await jetstreamManager(h.nc);
  const { state } = await jsm.streams.info(EVENTS_STREAM);
  const found: EventEnvelope<D>[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
    if (msg?.subject === subject) found.push(msg.json<EventEnvelope<D>>());
  }
  return found;
}

describe('song.deleted', () => {
  it('removes the song from every playlist, each time it appears, and the positions close up', async () => {
    const ada = h.addUser();
    const bob = h.addUser();
    const [a, gone, c] = [h.addSong(), h.addSong(), h.addSong()];
    const first = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'First' });
    const second = await h.rpc.call('playlists.playlist.create', { actor: bob, name: 'Second' });
    for (const [owner, playlist, songs] of [
      [ada, first, [gone, a, gone, c, gone]],
      [bob, second, [c, gone]],
    ] as const) {
      for (const song of songs) {
        await h.rpc.call('playlists.entry.add', { actor: owner, playlistId: playlist.id, songId: song.id });
      }
    }

    await h.deleteSong(gone.id);
    await h.eventsHandled();

    const one = await get(first.id);
    expect(one.songs!.map((e) => [e.position, e.song.id])).toEqual([
      [0, a.id],
      [1, c.id],
    ]);
    expect(one).toMatchObject({ songCount: 2, durationMs: a.durationMs + c.durationMs });
    expect((await get(second.id)).songs!.map((e) => [e.position, e.song.id])).toEqual([[0, c.id]]);
    expect(await h.rpc.call('playlists.playlist.songIds', { id: first.id })).toEqual({ id: first.id, songIds: [a.id, c.id] });
    // The counts of lists, kept here, agree.
    const page = await h.rpc.call('playlists.playlist.listByOwner', { ownerId: ada.id, limit: 20 });
    expect(page.items[0]).toMatchObject({ id: first.id, songCount: 2, durationMs: a.durationMs + c.durationMs });
  });

  it('refuses to add a song once its deletion was announced, even if a stale catalog still had it', async () => {
    const ada = h.addUser();
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Late' });
    const song = h.addSong();
    await h.deleteSong(song.id);
    await h.eventsHandled();
    // The catalog answers as if it had not seen the deletion: the tombstone kept here still refuses it.
    h.putSong(song);
    expect(
      await rejection(h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id })),
    ).toMatchObject({ status: 404, code: PlaylistsErrorCode.SongNotFound });
  });

  it('changes nothing more on a second song.deleted of the same song: positions are not closed up twice', async () => {
    const ada = h.addUser();
    const [a, b] = [h.addSong(), h.addSong()];
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Twice' });
    for (const song of [a, b, a]) {
      await h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id });
    }
    await h.deleteSong(a.id);
    await h.deleteSong(a.id);
    await h.eventsHandled();
    expect((await get(playlist.id)).songs!.map((e) => [e.position, e.song.id])).toEqual([[0, b.id]]);
  });

  it('leaves no entry of the song behind when adds race its deletion, and positions stay dense', async () => {
    const ada = h.addUser();
    const [keep, doomed] = [h.addSong(), h.addSong()];
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Race' });
    await h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: keep.id });
    const adds = Array.from({ length: 8 }, (_, i) =>
      h.rpc
        .call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: (i % 2 ? keep : doomed).id, position: 0 })
        .then(
          () => 'added',
          (err: { status?: number }) => err.status,
        ),
    );
    await h.deleteSong(doomed.id);
    // Every add either went in (and the deletion removes it) or was refused with a 404.
    for (const outcome of await Promise.all(adds)) expect(['added', 404]).toContain(outcome);
    await h.eventsHandled();
    const songs = (await get(playlist.id)).songs!;
    expect(songs.map((e) => e.song.id)).toEqual(songs.map(() => keep.id));
    expect(songs.map((e) => e.position)).toEqual([...songs.keys()]);
    expect((await h.rpc.call('playlists.playlist.songIds', { id: playlist.id })).songIds).toEqual(songs.map(() => keep.id));
  });
});

describe('user.deleted', () => {
  it("deletes the user's playlists and covers, announces each, and leaves others alone", async () => {
    const ada = h.addUser();
    const bob = h.addUser();
    const song = h.addSong();
    const mine: PlaylistDto[] = [];
    for (const name of ['One', 'Two']) {
      const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name });
      await h.rpc.call('playlists.entry.add', { actor: ada, playlistId: playlist.id, songId: song.id });
      mine.push(playlist);
    }
    const stagingKey = await h.stage(tinyPng(), ada);
    const covered = await h.rpc.call('playlists.playlist.cover.set', { actor: ada, id: mine[0].id, stagingKey });
    const coverKey = decodeURIComponent(new URL(covered.coverUrl!).pathname).replace(`/${h.infra.s3.bucket}/`, '');
    const theirs = await h.rpc.call('playlists.playlist.create', { actor: bob, name: 'Bob keeps this' });
    await h.rpc.call('playlists.entry.add', { actor: bob, playlistId: theirs.id, songId: song.id });

    await h.deleteUser(ada.id);
    await h.eventsHandled();

    for (const playlist of mine) {
      expect(await rejection(get(playlist.id))).toMatchObject({ status: 404 });
    }
    expect(await h.store.stat(coverKey)).toBeNull();
    expect(await get(theirs.id)).toMatchObject({ songCount: 1 });
    expect(await rejection(h.rpc.call('playlists.playlist.listByOwner', { ownerId: ada.id, limit: 20 }))).toMatchObject({
      status: 404,
      code: PlaylistsErrorCode.UserNotFound,
    });

    const announced = await eventually(async () => {
      const events = await published<{ playlistId: number; ownerId: number }>('playlists.events.playlist.deleted');
      const ours = events.filter((e) => e.data.ownerId === ada.id);
      return ours.length === mine.length ? ours : undefined;
    }, 'playlist.deleted for each of the playlists');
    expect(announced.map((e) => e.data.playlistId).sort()).toEqual(mine.map((p) => p.id).sort());
  });

  it('refuses a new playlist from a deleted account whose token is still valid (401)', async () => {
    const ada = h.addUser();
    await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Before' });
    await h.deleteUser(ada.id);
    await h.eventsHandled();
    expect(await rejection(h.rpc.call('playlists.playlist.create', { actor: ada, name: 'After' }))).toMatchObject({
      status: 401,
      code: PlaylistsErrorCode.AccountDeleted,
    });
  });
});

describe('playlist.deleted', () => {
  it('is published through the outbox when the owner deletes a playlist', async () => {
    const ada = h.addUser();
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Gone' });
    await h.rpc.call('playlists.playlist.delete', { actor: ada, id: playlist.id });
    const [event] = await eventually(
      async () => {
        const found = (await published<{ playlistId: number }>('playlists.events.playlist.deleted')).filter(
          (e) => e.data.playlistId === playlist.id,
        );
        return found.length > 0 ? found : undefined;
      },
      'playlist.deleted',
    );
    expect(event).toMatchObject({ type: 'playlist.deleted', version: 1, data: { playlistId: playlist.id, ownerId: ada.id } });
  });
});
