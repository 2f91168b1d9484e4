import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** Options of `startS3Server`. */
export interface S3ServerOptions {
  /** Where objects are kept on disk; created if missing, never removed by `close()`. */
  directory: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** A bucket to create before the server answers. */
  bucket?: string;
}

/** A running S3 protocol server and the credentials it accepts. */
export interface S3ServerHandle {
  /** e.g. `http://127.0.0.1:41234` */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  close(): Promise<void>;
}

/** The parts of s3rver (a Koa app; it ships no types) used here. */
interface S3rverApp {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  configureBuckets(): Promise<unknown>;
  logger: { close(): void };
  store: FilesystemStore;
}
interface FilesystemStore {
  getBucket(bucket: string): Promise<object | null>;
  getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<StoredObject | null>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  putObject(object: NewObject): Promise<{ size: number; md5: string }>;
  putObjectMultipart(bucket: string, uploadId: string, parts: unknown[]): Promise<{ size: number; md5: string }>;
  deleteObject(bucket: string, key: string): Promise<void>;
  putSubresource(bucket: string, key: string, resource: { type: string; toXML(space?: number): string }): Promise<void>;
  deleteSubresource(bucket: string, key: string, type: string): Promise<void>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
}
interface StoredObject {
  readonly size: number;
  content: Readable | null;
  range?: { start: number; end: number };
}
/** What s3rver's PUT hands its store: `content` is the request itself. */
interface NewObject {
  bucket: string;
  key: string;
  content: Readable | Buffer | null;
}
type S3rverConstructor = new (options: {
  directory: string;
  silent: boolean;
  vhostBuckets: boolean;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverApp;

// s3rver is CommonJS without type declarations; loading it through require keeps its
// loose typing here instead of an ambient module declaration other code could clash with.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

/** s3rver's only key pair; it checks the access key but not V4 signatures. */
const S3RVER_KEY = 'S3RVER';
const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/**
 * An S3 protocol server for local development and tests, storing objects in a folder.
 * It is s3rver behind a small HTTP front that fills the gaps the `minio` client falls into.
 *
 * Checked against minio 8: put (single and multipart), stat, ranged get, copy (with and
 * without replaced metadata), single and multi delete, bucket create/exists and presigned
 * GET work in s3rver itself. Shimmed here:
 * - `GET /<bucket>?uploads` (ListMultipartUploads), which minio sends before every
 *   multipart upload to look for one to resume; s3rver answers 501. We answer "none",
 *   so minio never resumes (and never needs ListParts, also missing from s3rver).
 * - Ranged reads of an empty object: s3rver promises one byte and sends none, leaving
 *   the client waiting. We answer 416 InvalidRange, as S3 does.
 * - `Range: bytes=0-0`: s3rver sends the whole object. We send the one byte.
 * - Multi-object delete: s3rver deletes the keys concurrently and then prunes empty
 *   folders, racing itself into a 500 when a batch empties a folder. We run deletes
 *   one at a time, each with the object's tags (s3rver leaves them behind).
 * - Tags given with the object (`x-amz-tagging` on PutObject and
 *   CreateMultipartUpload), which s3rver ignores, and DeleteObjectTagging
 *   (`DELETE ?tagging`), which it answers 501. Get/PutObjectTagging are its own.
 * - AbortMultipartUpload (`DELETE ?uploadId`), which s3rver answers 405.
 * Still missing, not needed by ObjectStore: suffix ranges (`bytes=-N` is read as
 * `bytes=0-N`), ListParts, and tags on copies (a copy has none).
 */
export async function startS3Server(options: S3ServerOptions): Promise<S3ServerHandle> {
  const { directory, port = 0, host = '127.0.0.1', bucket } = options;
  await mkdir(directory, { recursive: true });
  const app = new S3rver({
    directory,
    silent: true,
    // Path-style only: otherwise any host name other than localhost or an IP would be
    // taken for a bucket name.
    vhostBuckets: false,
    configureBuckets: bucket ? [{ name: bucket, configs: [] }] : [],
  });
  fixRangedReads(app.store);
  serializeDeletes(app.store);
  keepTagsGivenWithObjects(app.store);
  await app.configureBuckets();
  const s3rverHandler = app.callback();

  const server = createServer((req, res) => {
    const target = objectSubresourceDelete(req);
    if (target) {
      deleteObjectSubresource(app.store, target).then(
        () => res.writeHead(204).end(),
        (err: unknown) => answerError(res, err),
      );
      return;
    }
    const bucketName = listMultipartUploadsBucket(req);
    if (bucketName === null) {
      s3rverHandler(req, res);
      return;
    }
    // For a missing bucket s3rver's own NoSuchBucket answer is the right one.
    app.store.getBucket(bucketName).then(
      (found) => (found ? answerNoMultipartUploads(res, bucketName) : s3rverHandler(req, res)),
      () => s3rverHandler(req, res),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    endpoint: `http://${hostPart}:${address.port}`,
    accessKey: S3RVER_KEY,
    secretKey: S3RVER_KEY,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      // Keep-alive sockets would hold close() open until clients drop them.
      server.closeAllConnections();
      await closed;
      app.logger.close();
    },
  };
}

/** The bucket name if `req` is a ListMultipartUploads request, else `null`. */
function listMultipartUploadsBucket(req: IncomingMessage): string | null {
  if (req.method !== 'GET' || !req.url) return null;
  const url = new URL(req.url, 'http://s3.local');
  const match = /^\/([^/]+)\/?$/.exec(url.pathname);
  return match && url.searchParams.has('uploads') ? decodeURIComponent(match[1]) : null;
}

function answerNoMultipartUploads(res: ServerResponse, bucket: string): void {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ListMultipartUploadsResult xmlns="${S3_XMLNS}">` +
    `<Bucket>${escapeXml(bucket)}</Bucket><KeyMarker/><UploadIdMarker/>` +
    '<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>' +
    '</ListMultipartUploadsResult>';
  res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** `DELETE /<bucket>/<key>?tagging` or `?uploadId=…`: what s3rver does not implement. */
type SubresourceDelete = { bucket: string; key: string } & ({ kind: 'tagging' } | { kind: 'upload'; uploadId: string });

function objectSubresourceDelete(req: IncomingMessage): SubresourceDelete | null {
  if (req.method !== 'DELETE' || !req.url) return null;
  const url = new URL(req.url, 'http://s3.local');
  const match = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (!match) return null;
  const [bucket, key] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
  if (url.searchParams.has('tagging')) return { bucket, key, kind: 'tagging' };
  const uploadId = url.searchParams.get('uploadId');
  return uploadId ? { bucket, key, kind: 'upload', uploadId } : null;
}

class S3ShimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function deleteObjectSubresource(store: FilesystemStore, target: SubresourceDelete): Promise<void> {
  if (!(await store.getBucket(target.bucket))) throw new S3ShimError(404, 'NoSuchBucket', 'The specified bucket does not exist');
  if (target.kind === 'tagging') {
    if (!(await store.existsObject(target.bucket, target.key))) {
      throw new S3ShimError(404, 'NoSuchKey', 'The specified key does not exist.');
    }
    await store.deleteSubresource(target.bucket, target.key, 'tagging');
    return;
  }
  // s3rver keeps an upload's parts in a folder named by its id (hex); nothing else is removed.
  if (!/^[0-9a-f]+$/.test(target.uploadId)) throw new S3ShimError(404, 'NoSuchUpload', 'The specified upload does not exist.');
  const folder = path.join(store.getResourcePath(target.bucket, undefined, 'uploads'), target.uploadId);
  const exists = await stat(folder).then(
    () => true,
    () => false,
  );
  if (!exists) throw new S3ShimError(404, 'NoSuchUpload', 'The specified upload does not exist.');
  await rm(folder, { recursive: true, force: true });
}

function answerError(res: ServerResponse, err: unknown): void {
  const { status, code, message } =
    err instanceof S3ShimError ? err : { status: 500, code: 'InternalError', message: 'We encountered an internal error.' };
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Stores the `x-amz-tagging` given with a PutObject or CreateMultipartUpload as the
 * object's tags (what GetObjectTagging reads), before the upload is answered; an object
 * stored without it has none, as in S3, whatever the one it replaced had.
 */
function keepTagsGivenWithObjects(store: FilesystemStore): void {
  const putObject = store.putObject.bind(store);
  const putObjectMultipart = store.putObjectMultipart.bind(store);
  store.putObject = async (object) => {
    const result = await putObject(object);
    // A PUT's content is the request. An assembled multipart upload's is not: its tags
    // are set below, once it is stored.
    const request = object.content as Partial<IncomingMessage> | null;
    if (request?.headers) await putTags(store, object.bucket, object.key, request.headers['x-amz-tagging']);
    return result;
  };
  store.putObjectMultipart = async (bucket, uploadId, parts) => {
    // s3rver saved the CreateMultipartUpload's headers with the upload; read them before
    // the upload's folder goes.
    const folder = path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    const [key, headers] = await Promise.all([
      readFile(path.join(folder, 'key'), 'utf8'),
      readFile(path.join(folder, 'metadata'), 'utf8').then((text) => JSON.parse(text) as Record<string, unknown>),
    ]);
    const result = await putObjectMultipart(bucket, uploadId, parts);
    await putTags(store, bucket, key, headers['x-amz-tagging']);
    return result;
  };
}

async function putTags(store: FilesystemStore, bucket: string, key: string, tagging: unknown): Promise<void> {
  if (typeof tagging !== 'string' || tagging === '') {
    await store.deleteSubresource(bucket, key, 'tagging');
    return;
  }
  const tags = [...new URLSearchParams(tagging)]
    .map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`)
    .join('');
  const xml = `<Tagging><TagSet>${tags}</TagSet></Tagging>`;
  await store.putSubresource(bucket, key, { type: 'tagging', toXML: () => xml });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fixRangedReads(store: FilesystemStore): void {
  const getObject = store.getObject.bind(store);
  store.getObject = async (bucket, key, options) => {
    const object = await getObject(bucket, key, options);
    if (!object?.range || !object.content) return object;
    if (object.size === 0) {
      // No content with a range set is how s3rver's controller is told "416".
      object.content.destroy();
      object.content = null;
    } else if (options?.start === 0 && options.end === 0) {
      // s3rver computes the end as `end || Infinity`.
      object.content.destroy();
      try {
        object.content = await openFirstByte(store.getResourcePath(bucket, key, 'object'));
      } catch (err) {
        // Deleted since s3rver opened it: as s3rver answers, no such key.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      object.range.end = 0;
    }
    return object;
  };
}

/**
 * The file's first byte as a stream, once the file is open. As s3rver does with its
 * own streams: one that fails to open (the object deleted meanwhile) would otherwise
 * emit its error before anything listens, and crash the process.
 */
function openFirstByte(file: string): Promise<ReadStream> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(file, { start: 0, end: 0 })
      .on('error', reject)
      .on('open', () => resolve(stream));
  });
}

function serializeDeletes(store: FilesystemStore): void {
  const deleteObject = store.deleteObject.bind(store);
  let previous: Promise<unknown> = Promise.resolve();
  store.deleteObject = (bucket, key) => {
    // The tags first: s3rver prunes the object's folder only when it is left empty.
    const run = previous.then(async () => {
      await store.deleteSubresource(bucket, key, 'tagging');
      await deleteObject(bucket, key);
    });
    previous = run.catch(() => undefined);
    return run;
  };
}
