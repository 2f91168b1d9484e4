import { describe, expect, it } from '@jest/globals';
import { ExpiringCache } from './expiring-cache.js';

/** A cache on a clock the test moves, and a loader that counts its calls. */
function setup(opts: { ttlMs?: number; maxEntries?: number } = {}) {
  let time = 1_000;
  const cache = new ExpiringCache<number, string>({ ttlMs: opts.ttlMs ?? 100, maxEntries: opts.maxEntries ?? 10, now: () => time });
  const loads: number[] = [];
  let version = 1;
  const load = async (key: number) => {
    loads.push(key);
    return `${key}@v${version}`;
  };
  return {
    cache,
    loads,
    load,
    advance: (ms: number) => (time += ms),
    bump: () => version++,
  };
}

/** A load that resolves only when the test says so. */
function deferredLoad(value: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { load: () => gate.then(() => value), release };
}

describe(ExpiringCache.name, () => {
  it('serves a loaded value until it expires, then loads it again', async () => {
    const { cache, loads, load, advance, bump } = setup({ ttlMs: 100 });
    expect(await cache.get(1, load)).toBe('1@v1');
    bump();
    advance(99);
    expect(await cache.get(1, load)).toBe('1@v1');
    advance(1);
    expect(await cache.get(1, load)).toBe('1@v2');
    expect(loads).toEqual([1, 1]);
  });

  it('forgets one key on delete and every key on clear', async () => {
    const { cache, loads, load, bump } = setup();
    await cache.get(1, load);
    await cache.get(2, load);
    bump();
    cache.delete(1);
    expect(await cache.get(1, load)).toBe('1@v2');
    expect(await cache.get(2, load)).toBe('2@v1');
    bump();
    cache.clear();
    expect(await cache.get(1, load)).toBe('1@v3');
    expect(await cache.get(2, load)).toBe('2@v3');
    expect(loads).toEqual([1, 2, 1, 1, 2]);
  });

  it.each([
    ['a delete of that key', (c: ExpiringCache<number, string>) => c.delete(1)],
    ['a delete of another key', (c: ExpiringCache<number, string>) => c.delete(2)],
    ['a clear', (c: ExpiringCache<number, string>) => c.clear()],
  ])('does not store what a load in flight during %s read', async (_what, forget) => {
    const { cache, load } = setup();
    const stale = deferredLoad('1@old');
    const pending = cache.get(1, stale.load);
    forget(cache);
    stale.release();
    // The caller still gets what its own load read...
    expect(await pending).toBe('1@old');
    // ...but the next caller loads again.
    expect(await cache.get(1, load)).toBe('1@v1');
    expect(cache.size).toBe(1);
  });

  it('stores nothing when the load fails', async () => {
    const { cache, loads, load } = setup();
    await expect(cache.get(1, () => Promise.reject(new Error('not found')))).rejects.toThrow('not found');
    expect(cache.size).toBe(0);
    expect(await cache.get(1, load)).toBe('1@v1');
    expect(loads).toEqual([1]);
  });

  it('keeps at most maxEntries, dropping the one loaded first', async () => {
    const { cache, loads, load } = setup({ maxEntries: 2 });
    await cache.get(1, load);
    await cache.get(2, load);
    await cache.get(3, load);
    expect(cache.size).toBe(2);
    await cache.get(2, load);
    await cache.get(3, load);
    await cache.get(1, load);
    expect(loads).toEqual([1, 2, 3, 1]);
  });

  it('loads every time when ttlMs is 0', async () => {
    const { cache, loads, load } = setup({ ttlMs: 0 });
    await cache.get(1, load);
    await cache.get(1, load);
    expect(loads).toEqual([1, 1]);
    expect(cache.size).toBe(0);
  });

  it('refuses a negative ttl or no room', () => {
    expect(() => new ExpiringCache({ ttlMs: -1, maxEntries: 1 })).toThrow(RangeError);
    expect(() => new ExpiringCache({ ttlMs: 1, maxEntries: 0 })).toThrow(RangeError);
  });
});
