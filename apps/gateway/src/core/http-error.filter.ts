import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { DomainError } from '@octave/platform/bus';
import type { Logger } from '@octave/platform/observability';
import { ObjectTooLargeError } from '@octave/platform/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorBody, errorBody } from './error-body.js';
import { settleUnreadBody } from './unread-body.js';

/** What an exception becomes on the wire, and how loudly it is logged. */
export interface MappedError {
  body: ErrorBody;
  retryAfterSeconds?: number;
  /** `error`: a bug or an unexpected failure; `warn`: a dependency is down or slow. */
  log?: 'error' | 'warn';
}

/** Messages for the errors Fastify and its plugins raise before a route runs. */
function fastifyMessage(code: string | undefined, fallback: string, bodyLimit: number): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body is larger than ${bodyLimit} bytes`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'request body is not valid JSON';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request body is empty although Content-Type is application/json';
    case 'FST_REQ_FILE_TOO_LARGE':
      return 'uploaded file is too large';
    default:
      return fallback;
  }
}

function causeCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps anything a request can fail with to the API's error body. Pure, so every case
 * is unit-tested; the filter below only writes the result.
 */
export function mapException(exception: unknown, bodyLimit: number): MappedError {
  // RpcCallError (a service's ErrorEnvelope, a bus timeout or no responders) is a DomainError.
  if (exception instanceof DomainError) {
    return {
      body: errorBody(exception.status, exception.details),
      retryAfterSeconds: exception.status === 429 ? exception.retryAfterSeconds : undefined,
      log: exception.status >= 500 ? (exception.status === 500 ? 'error' : 'warn') : undefined,
    };
  }
  if (exception instanceof ObjectTooLargeError) {
    return { body: errorBody(413, `file is larger than ${exception.maxBytes} bytes`) };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message: string | string[] =
      typeof response === 'string'
        ? response
        : typeof response === 'object' && response !== null && 'message' in response
          ? (response as { message: string | string[] }).message
          : exception.message;
    // Fastify's own 4xx errors arrive wrapped by the adapter, with the original as cause.
    const code = causeCode(exception.cause);
    if (code?.startsWith('FST_')) message = fastifyMessage(code, exception.message, bodyLimit);
    return { body: errorBody(status, message), log: status >= 500 ? 'error' : undefined };
  }
  // Errors of Fastify's JSON parser and of @fastify/multipart carry their status.
  const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (exception instanceof Error && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message =
      exception instanceof SyntaxError
        ? 'request body is not valid JSON'
        : fastifyMessage(causeCode(exception), exception.message, bodyLimit);
    return { body: errorBody(statusCode, message) };
  }
  return { body: errorBody(500, 'Internal Server Error'), log: 'error' };
}

/** The only place HTTP error responses are written. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly bodyLimit: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const mapped = mapException(exception, this.bodyLimit);
    const status = mapped.body.statusCode;
    if (mapped.log === 'error') {
      this.logger.error({ err: exception, requestId: request.id, method: request.method, url: request.url }, 'request failed');
    } else if (mapped.log === 'warn') {
      this.logger.warn({ requestId: request.id, status, message: mapped.body.message }, 'dependency failed');
    }
    if (reply.sent || reply.raw.headersSent) {
      // A streamed response failed midway: all that is left is to cut it short.
      reply.raw.destroy();
      return;
    }
    if (mapped.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(mapped.retryAfterSeconds))));
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="octave"');
    settleUnreadBody(request.raw, reply);
    void reply.status(status).type('application/json; charset=utf-8').send(mapped.body);
  }
}
