/** Options of an `ExpiringCache`. */
export interface ExpiringCacheOptions {
  /** How long a loaded value is served before it is loaded again; 0 turns the cache off. */
  ttlMs: number;
  /** At most this many entries are kept; beyond it the oldest loaded goes first. */
  maxEntries: number;
  /** The clock, in milliseconds (tests pass their own). Default: `performance.now()`. */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * Values loaded on demand and kept in memory for a short while, for data a process may
 * serve a little old but must be able to forget at once (typically when a domain event
 * says it changed): `delete(key)` and `clear()` also keep a load that was in flight at
 * that moment, and so may have read the old value, from being stored. A failed load
 * stores nothing. Concurrent misses of one key each load: the cache saves repeated
 * loads, it does not serialise them.
 *
 * @example
 * const cache = new ExpiringCache<number, SongStreamInfo>({ ttlMs: 30_000, maxEntries: 10_000 });
 * const info = await cache.get(id, () => rpc.call('catalog.song.streamInfo', { id }));
 * // on catalog.events.song.deleted:
 * cache.delete(songId);
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /**
   * Bumped by every `delete` and `clear`: a load stores its value only if none happened
   * while it ran. One counter for all keys, not one per key, so forgetting keeps no
   * state; the price is that a deletion also stops unrelated loads in flight from being
   * stored, which only costs them a later miss.
   */
  private generation = 0;

  constructor(options: ExpiringCacheOptions) {
    if (!(options.ttlMs >= 0) || !(options.maxEntries >= 1)) {
      throw new RangeError(`ExpiringCache needs ttlMs >= 0 and maxEntries >= 1, got ${options.ttlMs} and ${options.maxEntries}`);
    }
    this.ttlMs = options.ttlMs;
    this.maxEntries = options.maxEntries;
    this.now = options.now ?? (() => performance.now());
  }

  /** Entries held now, expired ones included until they are next looked up or pushed out. */
  get size(): number {
    return this.entries.size;
  }

  /** The value of `key`: the stored one while it is fresh, else what `load` resolves to. */
  async get(key: K, load: (key: K) => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.expiresAt > this.now()) return entry.value;
      this.entries.delete(key);
    }
    const generation = this.generation;
    const value = await load(key);
    if (generation === this.generation && this.ttlMs > 0) {
      // Re-inserted at the end, so the Map's order is the order of loading.
      this.entries.delete(key);
      this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    }
    return value;
  }

  /** Forgets `key`, and keeps any load of it (or of another key) in flight from being stored. */
  delete(key: K): void {
    this.generation++;
    this.entries.delete(key);
  }

  /** Forgets everything, and keeps every load in flight from being stored. */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
