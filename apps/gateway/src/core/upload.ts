import { BadRequestException, HttpException, ServiceUnavailableException } from '@nestjs/common';
import { newStagingKey, type ObjectStore, ObjectTooLargeError } from '@octave/platform/storage';
import type { FastifyRequest } from 'fastify';
import '@fastify/multipart';

/** An uploaded file, already in the object store under `staging/`, for a service to adopt. */
export interface StagedUpload {
  key: string;
  sizeBytes: number;
  /** Text fields sent with the file (only those in `fields`), by name. */
  fields: Record<string, string[]>;
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
 * Streams the single file of a multipart request into the object store under
 * `staging/<uuid>`, never holding it in memory. The bytes are counted on the way and
 * the upload aborted past `maxBytes` (413); a body that is not multipart, lacks the
 * file, has a second file or an unexpected field is a 400. The caller hands the key to
 * the owning service and removes it if that fails.
 */
export async function stageSingleUpload(
  request: FastifyRequest,
  store: ObjectStore,
  opts: { field: string; maxBytes: number; fields?: readonly string[] },
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
      const key = newStagingKey();
      let bodyError: unknown;
      part.file.on('error', (err: NodeJS.ErrnoException) => {
        // A premature close is the store's upload tearing the body down, not the client.
        if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') bodyError ??= err;
      });
      try {
        // The declared type is not trusted: the owning service sniffs the content.
        staged = await store.putStream(key, part.file, { maxBytes: opts.maxBytes });
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
 * Stages the request's file, then hands it to the owning service with `adopt`. When the
 * service does not take it (or does not say so in time), the staged object is discarded
 * so nothing is left behind.
 */
export async function handOverUpload<T>(
  request: FastifyRequest,
  store: ObjectStore,
  opts: { field: string; maxBytes: number; fields?: readonly string[] },
  adopt: (upload: StagedUpload) => Promise<T>,
): Promise<T> {
  const upload = await stageSingleUpload(request, store, opts);
  try {
    return await adopt(upload);
  } catch (err) {
    await store.discard(upload.key);
    throw err;
  }
}
