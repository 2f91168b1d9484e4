import { describe, expect, it } from '@jest/globals';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BatchLoader } from './batch-loader.js';

/** A loader that records each batch it is asked for and answers `<key>!` for even keys. */
function setup(maxBatch?: number) {
  const batches: number[][] = [];
  const loader = new BatchLoader<number, string>(async (keys) => {
    batches.push(keys);
    return new Map(keys.filter((k) => k % 2 === 0).map((k) => [k, `${k}!`]));
  }, maxBatch);
  return { loader, batches };
}

describe(BatchLoader.name, () => {
  it('answers the loads of one turn with one call, each key once, in the order first asked', async () => {
    const { loader, batches } = setup();
    const answers = await Promise.all([loader.load(4), loader.load(2), loader.load(4), loader.load(3)]);
    expect(answers).toEqual(['4!', '2!', '4!', undefined]);
    expect(batches).toEqual([[4, 2, 3]]);
  });

  it('starts a new batch for the loads of a later turn', async () => {
    const { loader, batches } = setup();
    const first = loader.load(2);
    await nextTurn();
    await nextTurn();
    const second = loader.load(2);
    expect(await Promise.all([first, second])).toEqual(['2!', '2!']);
    expect(batches).toEqual([[2], [2]]);
  });

  it('splits a turn into batches of at most maxBatch keys', async () => {
    const { loader, batches } = setup(2);
    expect(await Promise.all([1, 2, 3, 4, 5].map((k) => loader.load(k)))).toEqual([undefined, '2!', undefined, '4!', undefined]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails every load of a batch whose call fails, and only those', async () => {
    let fail = true;
    const loader = new BatchLoader<number, number>(async (keys) => {
      if (fail) throw new Error('database is away');
      return new Map(keys.map((k) => [k, k * 10]));
    });
    const failed = await Promise.allSettled([loader.load(1), loader.load(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toEqual(new Error('database is away'));
    fail = false;
    expect(await loader.load(1)).toBe(10);
  });

  it('refuses a maxBatch below 1', () => {
    expect(() => new BatchLoader(async () => new Map(), 0)).toThrow(RangeError);
  });
});
