import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PlaylistsErrorCode, type Actor, type PlaylistDto } from '@octave/contracts';
import { isStaged, newStagingKey, UploadErrorCode } from '@octave/platform/storage';
import { GIF_HEAD, HTML, JPEG_HEAD, rejection, tinyPng, WEBP_HEAD } from '@octave/platform/testing';
import { startPlaylistsHarness, type PlaylistsHarness } from '../testing/playlists-harness.js';

const MAX_COVER_BYTES = 4096;

let h: PlaylistsHarness;

beforeAll(async () => {
  h = await startPlaylistsHarness('playlists_covers', { MAX_COVER_BYTES: String(MAX_COVER_BYTES) });
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

/** The object key behind a presigned cover URL. */
const keyOf = (url: string) => decodeURIComponent(new URL(url).pathname).replace(`/${h.infra.s3.bucket}/`, '');

async function setCover(actor: Actor, playlist: PlaylistDto, bytes: Buffer): Promise<{ stagingKey: string; result: Promise<PlaylistDto> }> {
  const stagingKey = await h.stage(bytes, actor);
  return { stagingKey, result: h.rpc.call('playlists.playlist.cover.set', { actor, id: playlist.id, stagingKey }) };
}

describe('covers', () => {
  it('adopts a staged PNG where it is: coverUrl serves it with the sniffed type', async () => {
    const ada = h.addUser();
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Covered' });
    const png = tinyPng();
    const { stagingKey, result } = await setCover(ada, playlist, png);
    const covered = await result;
    expect(covered.coverUrl).toEqual(expect.any(String));
    expect(keyOf(covered.coverUrl!)).toBe(stagingKey);
    const res = await fetch(covered.coverUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    expect(await isStaged(h.store, stagingKey)).toBe(false);
    expect((await h.rpc.call('playlists.playlist.get', { id: playlist.id })).coverUrl).toEqual(expect.any(String));
  });

  it.each([
    ['JPEG', JPEG_HEAD, 'image/jpeg'],
    ['WebP', WEBP_HEAD, 'image/webp'],
  ])('takes a %s image too', async (_name, bytes, mime) => {
    const ada = h.addUser();
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Covered' });
    const covered = await (await setCover(ada, playlist, bytes)).result;
    expect(await h.store.stat(keyOf(covered.coverUrl!))).toMatchObject({ contentType: mime });
  });

  it('replacing a cover removes the one it replaces; deleting the playlist removes its cover', async () => {
    const ada = h.addUser();
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Twice' });
    const first = await (await setCover(ada, playlist, tinyPng(2))).result;
    const second = await (await setCover(ada, playlist, tinyPng(3))).result;
    expect(await h.store.stat(keyOf(first.coverUrl!))).toBeNull();
    expect(await h.store.stat(keyOf(second.coverUrl!))).not.toBeNull();
    await h.rpc.call('playlists.playlist.delete', { actor: ada, id: playlist.id });
    expect(await h.store.stat(keyOf(second.coverUrl!))).toBeNull();
  });

  it.each([
    ['HTML', HTML],
    ['a GIF', GIF_HEAD],
  ])('refuses %s with a 415, whatever it was called, and removes the staged object', async (_what, bytes) => {
    const ada = h.addUser();
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Not an image' });
    const { stagingKey, result } = await setCover(ada, playlist, bytes);
    expect(await rejection(result)).toMatchObject({ status: 415, code: UploadErrorCode.UnsupportedMediaType });
    expect(await h.store.stat(stagingKey)).toBeNull();
    expect((await h.rpc.call('playlists.playlist.get', { id: playlist.id })).coverUrl).toBeNull();
  });

  it('refuses an image larger than MAX_COVER_BYTES with a 413 and removes the staged object', async () => {
    const ada = h.addUser();
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Too big' });
    const { stagingKey, result } = await setCover(ada, playlist, Buffer.concat([tinyPng(), Buffer.alloc(MAX_COVER_BYTES)]));
    expect(await rejection(result)).toMatchObject({ status: 413, code: UploadErrorCode.TooLarge });
    expect(await h.store.stat(stagingKey)).toBeNull();
  });

  it('lets only the owner set a cover (403), and removes the staged object', async () => {
    const ada = h.addUser();
    const bob = h.addUser();
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Mine' });
    const { stagingKey, result } = await setCover(bob, playlist, tinyPng());
    expect(await rejection(result)).toMatchObject({ status: 403, code: PlaylistsErrorCode.NotPlaylistOwner });
    expect(await h.store.stat(stagingKey)).toBeNull();
    expect((await h.rpc.call('playlists.playlist.get', { id: playlist.id })).coverUrl).toBeNull();
  });

  it("adopts nothing but the caller's staged uploads, and removes nothing else", async () => {
    const ada = h.addUser();
    const bob = h.addUser();
    const playlist = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Keys' });
    const live = 'avatars/1/x.png';
    await h.store.putStream(live, Readable.from([tinyPng()]));
    const bobs = await h.stage(tinyPng(), bob);
    for (const stagingKey of [live, 'uploads/../avatars/1/x.png', 'staging/a/b', bobs]) {
      expect(
        await rejection(h.rpc.call('playlists.playlist.cover.set', { actor: ada, id: playlist.id, stagingKey })),
      ).toMatchObject({ status: 400, code: UploadErrorCode.InvalidStagingKey });
    }
    expect(await h.store.stat(live)).not.toBeNull();
    expect(await isStaged(h.store, bobs)).toBe(true);
    const set = (stagingKey: string) => h.rpc.call('playlists.playlist.cover.set', { actor: ada, id: playlist.id, stagingKey });
    expect(await rejection(set(newStagingKey(ada.id)))).toMatchObject({ status: 400, code: UploadErrorCode.NotFound });

    // Another playlist's cover is no upload any more: it is neither taken nor removed.
    const other = await h.rpc.call('playlists.playlist.create', { actor: ada, name: 'Other' });
    const covered = await (await setCover(ada, other, tinyPng())).result;
    expect(await rejection(set(keyOf(covered.coverUrl!)))).toMatchObject({ status: 400, code: UploadErrorCode.NotFound });
    expect(await h.store.stat(keyOf(covered.coverUrl!))).not.toBeNull();
  });
});
