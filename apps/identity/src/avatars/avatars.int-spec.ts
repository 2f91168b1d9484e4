import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SessionDto } from '@octave/contracts';
import { isStaged, newStagingKey, stageUpload, UploadErrorCode } from '@octave/platform/storage';
import { HTML, rejection, tinyPng } from '@octave/platform/testing';
import { newUser, startIdentityHarness, type IdentityHarness } from '../testing/identity-harness.js';

describe('identity avatars (RPC)', () => {
  let h: IdentityHarness;
  const actorOf = (s: SessionDto) => ({ id: s.user.id, username: s.user.username });

  /** Stages bytes as the gateway does, as an upload of the session's user. */
  async function stage(bytes: Buffer, session: SessionDto): Promise<string> {
    return (await stageUpload(h.store, Readable.from([bytes]), { maxBytes: 1024 * 1024, uploaderId: session.user.id })).key;
  }

  /** The object key behind a presigned avatar URL. */
  const keyOf = (url: string) => decodeURIComponent(new URL(url).pathname).replace(`/${h.infra.s3.bucket}/`, '');

  beforeAll(async () => {
    h = await startIdentityHarness('identity_avatars', { MAX_AVATAR_BYTES: '4096' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('adopts a staged PNG where it is: avatarUrl serves it, and it is no longer a staged upload', async () => {
    const session = await h.rpc.call('identity.auth.register', newUser('avatar'));
    const png = tinyPng();
    const stagingKey = await stage(png, session);

    const me = await h.rpc.call('identity.me.avatar.set', { actor: actorOf(session), stagingKey });
    expect(me.avatarUrl).toEqual(expect.any(String));
    const res = await fetch(me.avatarUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    expect(keyOf(me.avatarUrl!)).toBe(stagingKey);
    expect(await isStaged(h.store, stagingKey)).toBe(false);

    // The public profile shows it too.
    const profile = await h.rpc.call('identity.user.get', { id: session.user.id });
    expect(profile.avatarUrl).toEqual(expect.any(String));
  });

  it('replacing and removing an avatar deletes the objects no longer used', async () => {
    const session = await h.rpc.call('identity.auth.register', newUser('swap'));
    const actor = actorOf(session);
    const first = await h.rpc.call('identity.me.avatar.set', { actor, stagingKey: await stage(tinyPng(2), session) });
    const second = await h.rpc.call('identity.me.avatar.set', { actor, stagingKey: await stage(tinyPng(3), session) });
    expect(await h.store.stat(keyOf(first.avatarUrl!))).toBeNull();
    expect(await h.store.stat(keyOf(second.avatarUrl!))).not.toBeNull();

    const removed = await h.rpc.call('identity.me.avatar.remove', { actor });
    expect(removed.avatarUrl).toBeNull();
    expect(await h.store.stat(keyOf(second.avatarUrl!))).toBeNull();
  });

  it('refuses what is not an image (415) and removes the staged object', async () => {
    const session = await h.rpc.call('identity.auth.register', newUser('html'));
    const stagingKey = await stage(HTML, session);
    const err = await rejection(h.rpc.call('identity.me.avatar.set', { actor: actorOf(session), stagingKey }));
    expect(err).toMatchObject({ status: 415, code: UploadErrorCode.UnsupportedMediaType });
    expect(await h.store.stat(stagingKey)).toBeNull();
    await expect(h.rpc.call('identity.me.get', { actor: actorOf(session) })).resolves.toMatchObject({ avatarUrl: null });
  });

  it('refuses an image larger than MAX_AVATAR_BYTES (413) and removes the staged object', async () => {
    const session = await h.rpc.call('identity.auth.register', newUser('big'));
    const big = Buffer.concat([tinyPng(), Buffer.alloc(5000)]);
    const stagingKey = await stage(big, session);
    const err = await rejection(h.rpc.call('identity.me.avatar.set', { actor: actorOf(session), stagingKey }));
    expect(err).toMatchObject({ status: 413, code: UploadErrorCode.TooLarge });
    expect(await h.store.stat(stagingKey)).toBeNull();
  });

  it('refuses a staging key with nothing behind it', async () => {
    const session = await h.rpc.call('identity.auth.register', newUser('none'));
    const err = await rejection(
      h.rpc.call('identity.me.avatar.set', { actor: actorOf(session), stagingKey: newStagingKey(session.user.id) }),
    );
    expect(err).toMatchObject({ status: 400, code: UploadErrorCode.NotFound });
  });

  it("adopts only staged uploads, never another user's avatar", async () => {
    const owner = await h.rpc.call('identity.auth.register', newUser('owner'));
    const withAvatar = await h.rpc.call('identity.me.avatar.set', { actor: actorOf(owner), stagingKey: await stage(tinyPng(), owner) });
    const thief = await h.rpc.call('identity.auth.register', newUser('thief'));
    const err = await rejection(
      h.rpc.call('identity.me.avatar.set', { actor: actorOf(thief), stagingKey: keyOf(withAvatar.avatarUrl!) }),
    );
    expect(err).toMatchObject({ status: 400, code: UploadErrorCode.InvalidStagingKey });
    expect(await h.store.stat(keyOf(withAvatar.avatarUrl!))).not.toBeNull();
    // Nor the owner's own avatar, which is no upload any more.
    const again = await rejection(
      h.rpc.call('identity.me.avatar.set', { actor: actorOf(owner), stagingKey: keyOf(withAvatar.avatarUrl!) }),
    );
    expect(again).toMatchObject({ status: 400, code: UploadErrorCode.NotFound });
    expect(await h.store.stat(keyOf(withAvatar.avatarUrl!))).not.toBeNull();
  });

  it('deleting the account deletes its avatar object', async () => {
    const input = newUser('gone');
    const session = await h.rpc.call('identity.auth.register', input);
    const me = await h.rpc.call('identity.me.avatar.set', { actor: actorOf(session), stagingKey: await stage(tinyPng(), session) });
    await h.rpc.call('identity.me.delete', { actor: actorOf(session), password: input.password });
    expect(await h.store.stat(keyOf(me.avatarUrl!))).toBeNull();
  });
});
