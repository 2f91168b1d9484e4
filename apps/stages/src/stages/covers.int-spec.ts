import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { StagesErrorCode, type Actor } from '@octave/contracts';
import { isStaged, stageUpload, UploadErrorCode, type ObjectStore } from '@octave/platform/storage';
import { rejection, tinyPng } from '@octave/platform/testing';
import { startStagesHarness, type StagesHarness } from '../testing/stages-harness.js';

describe('stages: covers', () => {
  let h: StagesHarness;
  let store: ObjectStore;

  beforeAll(async () => {
    h = await startStagesHarness('stages_covers', { MAX_COVER_BYTES: '4096' });
    store = h.service.store!;
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** An upload of `uploader` as the gateway stages it. */
  async function stage(content: Buffer, uploader: Actor): Promise<string> {
    return (await stageUpload(store, Readable.from([content]), { maxBytes: 1024 * 1024, uploaderId: uploader.id })).key;
  }

  it('adopts a sniffed image where it was staged as the cover (host only), tells subscribers, and removes the old cover', async () => {
    const host = h.addUser();
    const created = await h.rpc.call('stages.stage.create', { actor: host, name: 'Covered' });
    const firstKey = await stage(tinyPng(), host);
    const first = await h.rpc.call('stages.stage.cover.set', { actor: host, id: created.id, stagingKey: firstKey });
    expect(first.coverUrl).toMatch(/^http/);
    const image = await fetch(first.coverUrl!);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(tinyPng());
    expect((await h.realtime.next(created.id, 'stage:updated')).payload.coverUrl).toMatch(/^http/);
    expect(await isStaged(store, firstKey)).toBe(false);

    const upload = await stage(tinyPng(3), host);
    const second = await h.rpc.call('stages.stage.cover.set', { actor: host, id: created.id, stagingKey: upload });
    expect(await store.stat(upload)).toMatchObject({ contentType: 'image/png' });
    expect((await fetch(first.coverUrl!)).status).toBe(404);
    expect((await fetch(second.coverUrl!)).status).toBe(200);
  });

  it('refuses what is not an image (415), too large (413), or not the host (403), removing the upload every time', async () => {
    const host = h.addUser();
    const created = await h.rpc.call('stages.stage.create', { actor: host, name: 'Picky' });
    const cases = [
      { actor: host, content: Buffer.from('not an image at all'), status: 415, code: UploadErrorCode.UnsupportedMediaType },
      { actor: host, content: Buffer.concat([tinyPng(), Buffer.alloc(5000)]), status: 413, code: UploadErrorCode.TooLarge },
      { actor: h.addUser(), content: tinyPng(), status: 403, code: StagesErrorCode.NotHost },
    ];
    for (const c of cases) {
      const key = await stage(c.content, c.actor);
      expect(await rejection(h.rpc.call('stages.stage.cover.set', { actor: c.actor, id: created.id, stagingKey: key }))).toMatchObject({
        status: c.status,
        ...(c.code ? { code: c.code } : {}),
      });
      expect(await store.stat(key)).toBeNull();
    }
    expect(await rejection(h.rpc.call('stages.stage.cover.set', { actor: host, id: created.id, stagingKey: 'avatars/1/x.png' }))).toMatchObject({
      status: 400,
      code: UploadErrorCode.InvalidStagingKey,
    });
    expect((await h.rpc.call('stages.stage.get', { actor: host, id: created.id })).coverUrl).toBeNull();
  });

  it('removes the cover when the stage ends', async () => {
    const host = h.addUser();
    const created = await h.rpc.call('stages.stage.create', { actor: host, name: 'Gone soon' });
    const covered = await h.rpc.call('stages.stage.cover.set', { actor: host, id: created.id, stagingKey: await stage(tinyPng(), host) });
    await h.rpc.call('stages.stage.end', { actor: host, id: created.id });
    expect((await fetch(covered.coverUrl!)).status).toBe(404);
  });
});
