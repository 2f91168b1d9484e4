import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
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
  deleteObject(bucket: string, key: string): Promise<void>;
  getResourcePath(bucket: string, key: string, resource: string): string;
}
interface StoredObject {
  readonly size: number;
  content: Readable | null;
  range?: { start: number; end: number };
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
 *   one at a time.
 * Still missing, not needed by ObjectStore: suffix ranges (`bytes=-N` is read as
 * `bytes=0-N`) and aborting a multipart upload (`DELETE ?uploadId`; unreachable while the
 * listing above is empty). Parts of failed uploads stay under
 * `<directory>/<bucket>/._S3rver_uploads/`; they never appear as objects.
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
  await app.configureBuckets();
  const s3rverHandler = app.callback();

  const server = createServer((req, res) => {
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
      object.content = createReadStream(store.getResourcePath(bucket, key, 'object'), { start: 0, end: 0 });
      object.range.end = 0;
    }
    return object;
  };
}

function serializeDeletes(store: FilesystemStore): void {
  const deleteObject = store.deleteObject.bind(store);
  let previous: Promise<unknown> = Promise.resolve();
  store.deleteObject = (bucket, key) => {
    const run = previous.then(() => deleteObject(bucket, key));
    previous = run.catch(() => undefined);
    return run;
  };
}
