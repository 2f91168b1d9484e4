import {
  ArgumentsHost,
  Catch,
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
  Optional,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { MessagePattern, NatsContext } from '@nestjs/microservices';
import { BusHeaders, type ErrorEnvelope, type RpcRequest, type RpcResponse, type RpcSubject } from '@octave/contracts';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { Observable, throwError } from 'rxjs';
import type { Logger } from '../observability/index.js';
import {
  errorsTotal,
  extractTrace,
  failSpan,
  rpcServerDuration,
  runInTraceContext,
  runWithCorrelation,
  SpanKind,
  startSpan,
} from '../observability/index.js';
import { BusErrorCode, DomainError } from './errors.js';

/** The NATS message headers Nest hands over (`MsgHdrs`), as far as they are read here. */
interface NatsHeaders {
  get(name: string): string;
}

type Handler<S extends RpcSubject> = (req: RpcRequest<S>, ...rest: never[]) => Promise<RpcResponse<S>> | RpcResponse<S>;

/**
 * Marks a method as the handler of an RPC subject. The method's parameter and return
 * types must match the contracts' `RpcMap`, so a wrong payload fails to compile.
 */
export function RpcHandler<S extends RpcSubject>(subject: S) {
  return <H extends Handler<S>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>): void => {
    MessagePattern(subject)(target, key, descriptor);
  };
}

/** Socket errors of a connection that could not be made or was lost. */
const SOCKET_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** PostgreSQL's SQLSTATEs for a server that is shutting down, starting up or gone. */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03']);

/**
 * A database that cannot be reached right now (down, restarting, connection lost), as
 * the driver reports it: MikroORM wraps most of these in a plain `DriverException`
 * whose `code` is the socket error or the SQLSTATE (class 08: connection exception).
 */
function isConnectionFailure(exception: unknown): boolean {
  for (let err = exception, depth = 0; err instanceof Error && depth < 5; err = err.cause, depth++) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET_FAILURES.has(code) || SERVER_GONE.has(code) || code.startsWith('08'))) return true;
    // node-postgres reports a connection the server dropped only by its message.
    if (/^Connection terminated( unexpectedly| due to connection timeout)?$/.test(err.message)) return true;
  }
  return false;
}

/** Turns whatever a handler threw into the bus's `ErrorEnvelope`. */
export function toErrorEnvelope(exception: unknown, logger?: Logger): ErrorEnvelope {
  if (exception instanceof DomainError) return exception.toEnvelope();
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? (body as { message: string | string[] }).message
        : exception.message;
    return { code: exception.getStatus() === 400 ? 'VALIDATION_FAILED' : 'HTTP_ERROR', status: exception.getStatus(), message };
  }
  const name = (exception as Error | undefined)?.name ?? '';
  if (name === 'UniqueConstraintViolationException') {
    return { code: 'CONFLICT', status: 409, message: 'conflicts with an existing resource' };
  }
  if (name === 'ConnectionException' || name === 'DatabaseUnavailable' || isConnectionFailure(exception)) {
    return { code: 'DATABASE_UNAVAILABLE', status: 503, message: 'database is unavailable' };
  }
  errorsTotal.inc({ kind: 'rpc_handler' });
  logger?.error({ err: exception }, 'unhandled error in RPC handler');
  return { code: BusErrorCode.Internal, status: 500, message: 'internal error' };
}

/** One per service: every error leaves the service as an `ErrorEnvelope`. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => toErrorEnvelope(exception, this.logger));
  }
}

/**
 * Runs every RPC handler in its own unit of work: the caller's correlation id for logs,
 * a server span continuing the caller's trace (W3C `traceparent` header), a fresh
 * MikroORM context (identity map) per message, one log line and one latency
 * observation per message.
 */
@Injectable()
export class RpcContextInterceptor implements NestInterceptor {
  constructor(
    private readonly logger: Logger,
    @Optional() private readonly orm?: MikroORM,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const nats = context.switchToRpc().getContext<NatsContext>();
    const subject = nats.getSubject();
    const headers = nats.getHeaders() as NatsHeaders | undefined;
    const correlationId = headers?.get(BusHeaders.correlationId) || undefined;
    return new Observable((subscriber) => {
      const started = process.hrtime.bigint();
      const { span, context: traceContext } = startSpan(subject, {
        kind: SpanKind.SERVER,
        attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
        parent: extractTrace(headers),
      });
      const finish = (status: number, err?: unknown) => {
        span.setAttribute('rpc.status', status);
        if (status >= 500) failSpan(span, err);
        span.end();
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        rpcServerDuration.observe({ subject, outcome: String(status) }, seconds);
        const line = { subject, status, ms: Math.round(seconds * 1e4) / 10 };
        if (status >= 500) this.logger.error(line, 'rpc');
        else this.logger.debug(line, 'rpc');
      };
      const run = () =>
        next.handle().subscribe({
          next: (v) => subscriber.next(v),
          error: (err: unknown) => {
            finish(err instanceof DomainError ? err.status : err instanceof HttpException ? err.getStatus() : 500, err);
            subscriber.error(err);
          },
          complete: () => {
            finish(200);
            subscriber.complete();
          },
        });
      runInTraceContext(traceContext, () =>
        runWithCorrelation(correlationId, () => (this.orm ? RequestContext.create(this.orm.em, run) : run())),
      );
    });
  }
}
