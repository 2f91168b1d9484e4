import { BadRequestException, HttpException, ServiceUnavailableException } from '@nestjs/common';
import { BusErrorCode, RpcCallError } from '@octave/platform/bus';
import { discardStagedUpload, type ObjectStore, ObjectTooLargeError, stageUpload } from '@octave/platform/storage';
import type { FastifyRequest } from 'fastify';
import '@fastify/multipart';

/** An uploaded file, already in the object store and tagged as staged, for a service to adopt. */
export interface StagedUpload {
  key: string;
  sizeBytes: number;
  /** Text fields sent with the file (only those in `fields`), by name. */
  fields: Record<string, string[]>;
}

export interface UploadOptions {
  /** The multipart field the file comes in. */
  field: string;
  maxBytes: number;
  /** Text fields allowed beside the file. */
  fields?: readonly string[];
  /** Who uploads it (the request's actor): the upload is staged under their id. */
  uploaderId: number;
}

/**
 * Tells the client's fault (too large, a broken or cut-off body) from the store's
 * (unreachable, failing): the first keeps its 4xx, the second is a 503.
 */
function uploadFailure(err: unknown, bodyError: unknown): unknown {
  if (err instanceof ObjectTooLargeError || bodyError instanceof ObjectTooLargeError) return err;
  if (bodyError !== undefined) {
    const status = (bodyError as { statusCode?: unknown }).statusCode;
    return typeof status === 'number' && status >= 400 && status < 500
      ? bodyError
      : new BadRequestException('the multipart body is malformed or ended early');
  }
  return new ServiceUnavailableException('object store is unavailable', { cause: err });
}

/**
 * The parts, with what reading them fails with made an HTTP error: the multipart
 * limits' own errors keep their 4xx (413 past a limit); anything else the parser throws
 * (no boundary, a garbled or cut-off body) is the client's malformed body, a 400.
 */
async function* readParts<T>(parts: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* parts;
  } catch (err) {
    if (err instanceof HttpException || err instanceof ObjectTooLargeError) throw err;
    const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) throw err;
    throw new BadRequestException('the multipart body is malformed or ended early');
  }
}

/**
 * Streams the single file of a multipart request into the object store as a staged
 * upload (`stageUpload`: `uploads/<uploader id>/<uuid>`, tagged staged, typed by a sniff of its first
 * bytes), never holding it in memory. The bytes are counted on the way and the upload
 * aborted past `maxBytes` (413); a body that is not multipart, lacks the file, has a
 * second file or an unexpected field is a 400. The caller hands the key to the owning
 * service, which keeps the object where it is or removes it.
 */
export async function stageSingleUpload(
  request: FastifyRequest,
  store: ObjectStore,
  opts: UploadOptions,
): Promise<StagedUpload> {
  if (!request.isMultipart()) {
    throw new BadRequestException(`expected a multipart/form-data body with a "${opts.field}" file`);
  }
  const allowedFields = new Set(opts.fields ?? []);
  const fields: Record<string, string[]> = {};
  let staged: { key: string; sizeBytes: number } | undefined;
  try {
    // One byte over the limit lets the store's counter see the file is too large and
    // answer with its own error, rather than busboy silently truncating the file.
    const parts = request.parts({
      limits: { fileSize: opts.maxBytes + 1, files: 2, fields: 20, parts: 22, fieldSize: 16 * 1024 },
    });
    for await (const part of readParts(parts)) {
      if (part.type === 'field') {
        if (!allowedFields.has(part.fieldname)) throw new BadRequestException(`unexpected field "${part.fieldname}"`);
        (fields[part.fieldname] ??= []).push(String(part.value));
        continue;
      }
      if (part.fieldname !== opts.field) {
        part.file.resume();
        throw new BadRequestException(`unexpected file field "${part.fieldname}"; send the file as "${opts.field}"`);
      }
      if (staged) {
        part.file.resume();
        throw new BadRequestException('only one file may be uploaded');
      }
      let bodyError: unknown;
      part.file.on('error', (err: NodeJS.ErrnoException) => {
        // A premature close is the store's upload tearing the body down, not the client.
        if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') bodyError ??= err;
      });
      try {
        // The declared type is not trusted: the content is sniffed, here and by the owning service.
        staged = await stageUpload(store, part.file, { maxBytes: opts.maxBytes, uploaderId: opts.uploaderId });
      } catch (err) {
        throw uploadFailure(err, bodyError ?? (request.raw.readableAborted ? err : undefined));
      }
    }
  } catch (err) {
    if (staged) await store.discard(staged.key);
    throw err;
  }
  if (!staged) throw new BadRequestException(`missing file field "${opts.field}"`);
  return { ...staged, fields };
}

/**
 * Whether the owning service may still be working on the upload: its answer did not
 * come in time or the bus failed on the way. It may yet adopt the object in place, so
 * it is not the gateway's to remove; if the service does not take it, it stays tagged
 * as staged and the bucket's lifecycle rule expires it.
 */
function outcomeUnknown(err: unknown): boolean {
  return err instanceof RpcCallError && (err.code === BusErrorCode.Timeout || err.code === BusErrorCode.Unavailable);
}

/**
 * Stages the request's file, then hands it to the owning service with `adopt`. The
 * service adopts the object in place or removes it; when the hand-over fails otherwise
 * (the fields are refused before the call, the service is not there, or it failed to
 * remove what it refused), the gateway removes the object unless it was adopted, so
 * nothing is left behind. When the outcome is unknown it is left to the lifecycle rule.
 */
export async function handOverUpload<T>(
  request: FastifyRequest,
  store: ObjectStore,
  opts: UploadOptions,
  adopt: (upload: StagedUpload) => Promise<T>,
): Promise<T> {
  const upload = await stageSingleUpload(request, store, opts);
  try {
    return await adopt(upload);
  } catch (err) {
    if (!outcomeUnknown(err)) await discardStagedUpload(store, upload.key);
    throw err;
  }
}
