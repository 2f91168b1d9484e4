import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import * as Minio from 'minio';

/** Minimal logger the store reports cleanup problems to; a pino logger fits. */
export interface StorageLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** Where the object store is and how to reach it. */
export interface ObjectStoreOptions {
  /** URL the service reaches the store at, e.g. `http://127.0.0.1:9000`. */
  endpoint: string;
  /**
   * URL clients (browsers, apps) reach the store at; presigned URLs are signed for this
   * host, so a proxy in front must forward the `Host` header unchanged. Default: `endpoint`.
   */
  publicEndpoint?: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  /** Default `us-east-1`. Knowing it up front keeps presigning free of network calls. */
  region?: string;
  /**
   * Multipart part size (minimum 5 MiB, default 8 MiB). Each running upload holds two
   * part buffers (one being sent, one being filled); objects are limited to 10 000 parts.
   */
  partSizeBytes?: number;
  logger?: StorageLogger;
}

/** What `stat` reports about a stored object. */
export interface ObjectInfo {
  sizeBytes: number;
  contentType: string;
  etag: string;
}

/** Inclusive byte range, as in an HTTP `Range: bytes=start-end` header. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Options of `putStream`. */
export interface PutStreamOptions {
  /**
   * The object's `Content-Type`, or a function that picks it from the body's first
   * bytes (up to one part; the whole body when it is shorter). Default
   * `application/octet-stream`.
   */
  contentType?: string | ((head: Buffer) => string | Promise<string>);
  /** Past this many bytes the upload is aborted with `ObjectTooLargeError`. */
  maxBytes?: number;
  /** Object tags, set atomically with the object (`x-amz-tagging`). */
  tags?: Readonly<Record<string, string>>;
}

/** Thrown by `putStream` when the body is longer than `maxBytes`; nothing is stored. */
export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`Object is larger than the limit of ${maxBytes} bytes`);
    this.name = 'ObjectTooLargeError';
  }
}

/** Thrown when reading or copying an object that does not exist. */
export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`Object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

const DEFAULT_REGION = 'us-east-1';
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** S3's smallest part (all but the last); minio refuses smaller part sizes too. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Part buffers kept between uploads: the two of one running upload. */
const IDLE_PART_BUFFERS = 2;
/** S3 refuses presigned URLs valid for longer than seven days. */
const MAX_PRESIGN_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The bucket every Octave service keeps its files in (avatars, covers, audio), over the
 * S3 protocol. Bodies are streamed both ways; an upload holds two part buffers in
 * memory, whatever its size.
 */
export class ObjectStore {
  readonly bucket: string;
  private readonly client: Minio.Client;
  private readonly publicClient: Minio.Client;
  private readonly region: string;
  private readonly partSize: number;
  private readonly partBuffers: PartBuffers;
  private readonly logger?: StorageLogger;

  constructor(options: ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.region = options.region ?? DEFAULT_REGION;
    this.partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE;
    if (!(Number.isInteger(this.partSize) && this.partSize >= MIN_PART_SIZE)) {
      throw new RangeError(`partSizeBytes must be an integer of at least ${MIN_PART_SIZE}`);
    }
    this.partBuffers = new PartBuffers(this.partSize, IDLE_PART_BUFFERS);
    this.logger = options.logger;
    this.client = createClient(options.endpoint, options, this.region, this.partSize);
    this.publicClient =
      options.publicEndpoint && options.publicEndpoint !== options.endpoint
        ? createClient(options.publicEndpoint, options, this.region, this.partSize)
        : this.client;
  }

  /** Creates the bucket if it does not exist; safe to call from several processes at once. */
  async ensureBucket(): Promise<void> {
    if (await this.client.bucketExists(this.bucket)) return;
    try {
      await this.client.makeBucket(this.bucket, this.region);
      this.logger?.info({ bucket: this.bucket }, 'created bucket');
    } catch (err) {
      // Another process may have won the race; servers disagree on the error code for
      // that (BucketAlreadyOwnedByYou, BucketAlreadyExists), so look instead.
      if (await this.client.bucketExists(this.bucket)) return;
      throw err;
    }
  }

  /**
   * Streams `body` to `key`: a body that fits in one part goes up in a single PUT, a
   * longer one as a multipart upload, each part sent while the next one is read. The
   * body is counted on the way through; past `maxBytes` the upload is aborted, `body`
   * destroyed and `ObjectTooLargeError` thrown, leaving whatever was at `key` before
   * untouched. A failing `body` aborts the same way, with its own error.
   *
   * Parts are read into two buffers of `partSizeBytes` that the store keeps for the next
   * upload: fresh memory for every part costs page faults (and garbage) per upload.
   */
  async putStream(key: string, body: Readable, opts: PutStreamOptions = {}): Promise<{ key: string; sizeBytes: number }> {
    const counter = new ByteCounter(opts.maxBytes ?? Number.POSITIVE_INFINITY);
    // pipeline ties the two streams' lifetimes together: a failing body fails the counter
    // and a failed counter (too large, or abandoned below) destroys the body.
    const piping = pipeline(body, counter).catch(() => undefined);
    const reader = new PartReader(counter);
    const buffers = [this.partBuffers.take()];
    let uploadId: string | undefined;
    let inFlight: Promise<unknown> | undefined;
    try {
      const firstLength = await reader.fill(buffers[0]);
      const head = buffers[0].subarray(0, firstLength);
      const contentType = typeof opts.contentType === 'function' ? await opts.contentType(head) : opts.contentType;
      const headers: Record<string, string> = { 'Content-Type': contentType ?? 'application/octet-stream' };
      if (opts.tags && Object.keys(opts.tags).length > 0) headers['X-Amz-Tagging'] = new URLSearchParams(opts.tags).toString();
      if (reader.ended) {
        // Given no length, minio's putObject would make even a tiny avatar a multipart
        // upload (four requests); this body is whole, so one PUT does.
        await this.client.makeRequestAsyncOmit(
          { method: 'PUT', bucketName: this.bucket, objectName: key, headers: { ...headers, ...this.integrityHeaders(head) } },
          head,
        );
      } else {
        uploadId = await this.client.initiateNewMultipartUpload(this.bucket, key, headers);
        buffers.push(this.partBuffers.take());
        const etags: { part: number; etag: string }[] = [];
        let [sending, filling] = buffers;
        let length = firstLength;
        for (let part = 1; length > 0; part++) {
          const upload = this.uploadPart(key, uploadId, part, sending.subarray(0, length));
          inFlight = upload;
          // The last part is the one the body ended in; otherwise read the next while this one goes.
          const [etag, next] = await Promise.all([upload, reader.ended ? 0 : reader.fill(filling)]);
          inFlight = undefined;
          etags.push({ part, etag });
          [sending, filling] = [filling, sending];
          length = next;
        }
        await this.client.completeMultipartUpload(this.bucket, key, uploadId, etags);
      }
    } catch (err) {
      counter.destroy();
      await piping;
      // A part still being sent would land after the abort and be kept.
      await inFlight?.catch(() => undefined);
      // Parts never become an object before the upload completes, so whatever was at
      // `key` before is still there and must not be deleted.
      if (uploadId) await this.abortUpload(key, uploadId);
      // The buffers are left to the collector: failures are rare.
      throw counter.errored ?? err;
    }
    await piping;
    for (const buffer of buffers) this.partBuffers.give(buffer);
    return { key, sizeBytes: reader.bytes };
  }

  /** Size, type and etag of `key`, or `null` if there is no such object. */
  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const info = await this.client.statObject(this.bucket, key);
      const contentType = info.metaData['content-type'];
      return {
        sizeBytes: info.size,
        contentType: typeof contentType === 'string' ? contentType : 'application/octet-stream',
        etag: info.etag,
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * The object's bytes, or only `range` of them (inclusive ends, clipped to the object's
   * size by the server). Throws `ObjectNotFoundError` if there is no such object.
   */
  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    if (range && !(range.start >= 0 && range.end >= range.start)) {
      throw new RangeError(`Invalid byte range ${range.start}-${range.end}`);
    }
    try {
      return range
        ? await this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1)
        : await this.client.getObject(this.bucket, key);
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  /** Up to the first `bytes` bytes of the object, for content sniffing. */
  async readHead(key: string, bytes: number): Promise<Buffer> {
    if (!(bytes > 0)) return Buffer.alloc(0);
    let stream: Readable;
    try {
      stream = await this.getStream(key, { start: 0, end: bytes - 1 });
    } catch (err) {
      // S3 answers a range on an empty object with InvalidRange.
      if ((err as { code?: unknown }).code === 'InvalidRange') return Buffer.alloc(0);
      throw err;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    // A server that ignores Range sends everything; stop reading once there is enough.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= bytes) break;
    }
    return Buffer.concat(chunks).subarray(0, bytes);
  }

  /** The object's tags, or `null` if there is no such object. */
  async tags(key: string): Promise<Record<string, string> | null> {
    try {
      const tags = await this.client.getObjectTagging(this.bucket, key);
      return Object.fromEntries(tags.map((t) => [String(t.Key), String(t.Value)]));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Removes every tag of `key`. Throws `ObjectNotFoundError` if there is no such object. */
  async removeTags(key: string): Promise<void> {
    try {
      // minio's removeObjectTagging leaves the response unread, holding its socket.
      await this.client.makeRequestAsyncOmit({ method: 'DELETE', bucketName: this.bucket, objectName: key, query: 'tagging' }, '', [
        200, 204,
      ]);
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  /**
   * Server-side copy of `srcKey` to `dstKey`. With `contentType` the copy gets that type
   * (S3 then replaces all of the copy's metadata); otherwise it keeps the source's. A
   * copy onto itself with a `contentType` changes the object's type (tags are kept).
   */
  async copy(srcKey: string, dstKey: string, contentType?: string): Promise<void> {
    const source = new Minio.CopySourceOptions({ Bucket: this.bucket, Object: srcKey });
    const destination = new Minio.CopyDestinationOptions({
      Bucket: this.bucket,
      Object: dstKey,
      ...(contentType ? { MetadataDirective: 'REPLACE', Headers: { 'Content-Type': contentType } } : {}),
    });
    try {
      await this.client.copyObject(source, destination);
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(srcKey);
      throw err;
    }
  }

  /** Deletes `key`; a missing object is not an error. */
  async remove(key: string): Promise<void> {
    try {
      await this.client.removeObject(this.bucket, key);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * Deletes an object nothing refers to any more, after the change that let go of it
   * committed: a failure only leaves an orphan behind (logged), never fails the caller.
   */
  async discard(key: string): Promise<void> {
    try {
      await this.remove(key);
    } catch (err) {
      this.logger?.warn({ err, bucket: this.bucket, key }, 'could not remove an unreferenced object; it is left behind');
    }
  }

  /** Deletes many keys in batched requests; missing objects are not an error. */
  async removeMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const results = await this.client.removeObjects(this.bucket, [...keys]);
    // minio's typings say `{ Error: {...} }` but it returns the <Error> elements themselves.
    const failures = results
      .map((r) => (r && 'Error' in r && r.Error ? r.Error : r) as { Key?: string; Code?: string } | null | undefined)
      .filter((e): e is { Key?: string; Code?: string } => !!e && e.Code !== 'NoSuchKey');
    if (failures.length > 0) {
      const detail = failures.map((f) => `${f.Key ?? '?'} (${f.Code ?? 'unknown error'})`).join(', ');
      throw new Error(`Failed to remove ${failures.length} object(s): ${detail}`);
    }
  }

  /** A URL anyone can GET `key` with (Range requests included) for `ttlSeconds`. */
  async presignedGetUrl(key: string, ttlSeconds: number): Promise<string> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_PRESIGN_TTL_SECONDS) {
      throw new RangeError(`ttlSeconds must be an integer from 1 to ${MAX_PRESIGN_TTL_SECONDS}`);
    }
    return this.publicClient.presignedGetObject(this.bucket, key, ttlSeconds);
  }

  /** Health check: can the bucket be reached within `timeoutMs`? Never throws. */
  async ping(timeoutMs = 3000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.client.bucketExists(this.bucket), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async uploadPart(key: string, uploadId: string, part: number, bytes: Buffer): Promise<string> {
    const { etag } = await this.client.uploadPart(
      { bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: this.integrityHeaders(bytes) },
      bytes,
    );
    return etag;
  }

  /**
   * Over plain HTTP minio signs each body's SHA-256, which the store checks; over HTTPS
   * it signs `UNSIGNED-PAYLOAD`, so the store is given the body's MD5 to check instead
   * (as minio does itself). Not both: hashing is most of what an upload costs here.
   */
  private integrityHeaders(bytes: Buffer): Record<string, string> {
    return this.client.enableSHA256 ? {} : { 'Content-MD5': md5(bytes) };
  }

  /** Drops the parts of a failed multipart upload; a bucket lifecycle rule is the backstop. */
  private async abortUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.abortMultipartUpload(this.bucket, key, uploadId);
    } catch (err) {
      this.logger?.warn({ err, bucket: this.bucket, key }, 'could not abort unfinished multipart upload');
    }
  }
}

function createClient(url: string, options: ObjectStoreOptions, region: string, partSize: number): Minio.Client {
  const parsed = new URL(url);
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || (parsed.pathname !== '/' && parsed.pathname !== '')) {
    // minio cannot talk to a store mounted under a path.
    throw new Error(`Object store endpoint must be an http(s) URL without a path, got "${url}"`);
  }
  return new Minio.Client({
    endPoint: parsed.hostname,
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
    useSSL: parsed.protocol === 'https:',
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    region,
    pathStyle: true,
    // Without an explicit part size minio sizes parts for a 5 TiB object (about 550 MiB
    // each) when the length is unknown, and buffers a whole part in memory.
    partSize,
  });
}

/**
 * Reads a stream into caller-owned part buffers, copying each chunk once: a chunk that
 * does not fit is carried over to the next part.
 */
class PartReader {
  bytes = 0;
  ended = false;
  private readonly chunks: AsyncIterator<Buffer>;
  private carried: Buffer | undefined;

  constructor(stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  /** Fills `target` from the start; fewer bytes than its length only at the end of the stream. */
  async fill(target: Buffer): Promise<number> {
    let filled = 0;
    while (filled < target.length) {
      let chunk = this.carried;
      this.carried = undefined;
      if (!chunk) {
        const next = await this.chunks.next();
        if (next.done) {
          this.ended = true;
          break;
        }
        chunk = next.value;
      }
      const taken = chunk.copy(target, filled, 0, Math.min(chunk.length, target.length - filled));
      filled += taken;
      if (taken < chunk.length) this.carried = chunk.subarray(taken);
    }
    this.bytes += filled;
    return filled;
  }
}

/** Part-sized buffers, up to `keep` of them kept for reuse once an upload is done with them. */
class PartBuffers {
  private readonly idle: Buffer[] = [];

  constructor(
    private readonly size: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    // Not zero-filled: only the bytes a part was filled with are ever sent.
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(buffer: Buffer): void {
    if (this.idle.length < this.keep) this.idle.push(buffer);
  }
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('base64');
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'NoSuchKey' || code === 'NotFound';
}

/** Passes bytes through, counting them, and fails once more than `maxBytes` went by. */
class ByteCounter extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new ObjectTooLargeError(this.maxBytes));
      return;
    }
    callback(null, chunk);
  }
}
