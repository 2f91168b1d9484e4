interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Loads values by key, coalescing the loads asked for during one turn of the event loop
 * into one call of `loadMany` (at most `maxBatch` keys each), as DataLoader does. Under
 * concurrent requests this turns many small queries into a few larger ones: one round
 * trip and one socket write for all of them instead of one each. A key missing from
 * `loadMany`'s answer resolves to `undefined`; its failure fails every load of the batch.
 * Nothing is kept after a batch: it coalesces, it does not cache.
 *
 * @example
 * const songs = new BatchLoader<number, SongDto>(async (ids) => new Map((await readSongs(ids)).map((s) => [s.id, s])));
 * const song = await songs.load(12);
 */
export class BatchLoader<K, V> {
  private waiting = new Map<K, Waiter<V>[]>();
  private scheduled = false;

  constructor(
    private readonly loadMany: (keys: K[]) => Promise<ReadonlyMap<K, V>>,
    private readonly maxBatch = 100,
  ) {
    if (!(maxBatch >= 1)) throw new RangeError(`BatchLoader needs maxBatch >= 1, got ${maxBatch}`);
  }

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every message read in it has asked by then.
        setImmediate(() => this.dispatch());
      }
    });
  }

  private dispatch(): void {
    this.scheduled = false;
    const all = [...this.waiting];
    this.waiting = new Map();
    for (let i = 0; i < all.length; i += this.maxBatch) void this.run(new Map(all.slice(i, i + this.maxBatch)));
  }

  private async run(batch: Map<K, Waiter<V>[]>): Promise<void> {
    try {
      const values = await this.loadMany([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(values.get(key));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }
}
