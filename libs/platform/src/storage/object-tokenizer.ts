import type { Readable } from 'node:stream';
import {
  AbstractTokenizer,
  EndOfStreamError,
  type IRandomAccessFileInfo,
  type IRandomAccessTokenizer,
  type IReadChunkOptions,
} from 'strtok3';
import type { ObjectStore } from './object-store.js';

/**
 * How far ahead of what was read a read may start and still be reached by reading on;
 * further, a new ranged GET from there is cheaper.
 */
const READ_ON_MAX = 256 * 1024;

/**
 * A random-access tokenizer (strtok3, what `music-metadata` and `file-type` parse
 * from) over a stored object, reading it with ranged GETs: one GET streams on while
 * reads follow each other, and a read far ahead of it (or behind it) starts a new one
 * there. A parser that skips over the bulk of a file (WAV's samples, an MP4's media
 * data, to the last page of an Ogg) fetches only the parts it reads; one that scans
 * every frame (MP3 for its exact duration) reads the object once, as a stream would.
 *
 * Errors of the store are kept in `storeError`, so a caller can tell them from content
 * a parser cannot make sense of. Close it when done.
 */
export class ObjectTokenizer extends AbstractTokenizer implements IRandomAccessTokenizer {
  readonly fileInfo: IRandomAccessFileInfo;
  /** The first error the store failed with, if any. */
  storeError: unknown;
  /** Bytes fetched from the store so far. */
  bytesFetched = 0;
  /** GETs made so far. */
  requests = 0;
  private stream: Readable | undefined;
  private chunks: AsyncIterator<Buffer> | undefined;
  /** Bytes read from the current GET and not yet passed: they start at `windowStart`. */
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly key: string,
    fileInfo: { size: number; mimeType?: string },
  ) {
    super();
    this.fileInfo = { ...fileInfo };
  }

  supportsRandomAccess(): boolean {
    return true;
  }

  setPosition(position: number): void {
    this.validateLength(position, 'position');
    this.position = position;
  }

  async readBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const { position, length, mayBeLess } = this.normalizeOptions(target, options);
    const read = await this.readAt(target, position, length, mayBeLess ?? false);
    this.position = position + read;
    return read;
  }

  async peekBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const { position, length, mayBeLess } = this.normalizeOptions(target, options);
    return this.readAt(target, position, length, mayBeLess ?? false);
  }

  protected override async closeOnce(): Promise<void> {
    this.stream?.destroy();
    this.stream = undefined;
    this.chunks = undefined;
    await super.closeOnce();
  }

  private async readAt(target: Uint8Array, position: number, length: number, mayBeLess: boolean): Promise<number> {
    const end = Math.min(position + length, this.fileInfo.size);
    const available = Math.max(0, end - position);
    if (available < length && !mayBeLess) throw new EndOfStreamError();
    if (available === 0) return 0;
    await this.fetch(position, end);
    target.set(this.window.subarray(0, available), 0);
    return available;
  }

  /** Makes the window start at `from` and hold at least up to `to` (exclusive). */
  private async fetch(from: number, to: number): Promise<void> {
    if (!this.chunks || from < this.windowStart || from > this.windowStart + this.window.length + READ_ON_MAX) {
      await this.open(from);
    }
    for (;;) {
      if (from > this.windowStart) {
        const passed = Math.min(from - this.windowStart, this.window.length);
        this.window = this.window.subarray(passed);
        this.windowStart += passed;
      }
      if (this.windowStart === from && this.window.length >= to - from) return;
      let next: IteratorResult<Buffer>;
      try {
        next = await this.chunks!.next();
      } catch (err) {
        this.storeError ??= err;
        throw err;
      }
      // The object is shorter than it was said to be.
      if (next.done) throw new EndOfStreamError();
      this.bytesFetched += next.value.length;
      this.window = this.window.length > 0 ? Buffer.concat([this.window, next.value]) : next.value;
    }
  }

  private async open(from: number): Promise<void> {
    this.stream?.destroy();
    this.window = Buffer.alloc(0);
    this.windowStart = from;
    this.requests++;
    try {
      this.stream = await this.store.getStream(this.key, { start: from, end: this.fileInfo.size - 1 });
    } catch (err) {
      this.storeError ??= err;
      this.stream = undefined;
      this.chunks = undefined;
      throw err;
    }
    // Kept: an error after the parse must not go unhandled and crash the process.
    this.stream.on('error', (err) => {
      this.storeError ??= err;
    });
    this.chunks = this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }
}
