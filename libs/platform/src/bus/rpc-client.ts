import { randomUUID } from 'node:crypto';
import {
  BusHeaders,
  type RpcRequest,
  type RpcResponse,
  type RpcSubject,
} from '@octave/contracts';
import { headers as natsHeaders, type NatsConnection, RequestError, TimeoutError } from '@nats-io/transport-node';
import {
  currentCorrelationId,
  errorsTotal,
  failSpan,
  injectTrace,
  rpcClientDuration,
  SpanKind,
  startSpan,
} from '../observability/index.js';
import { BusErrorCode, isErrorEnvelope, RpcCallError } from './errors.js';

/** The reply packet of NestJS's NATS transport. */
interface NestReply {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/**
 * Calls services over NATS request/reply, typed by the contracts' `RpcMap`. Speaks the
 * NestJS NATS packet format (`{pattern, data, id}`), but uses a plain NATS request so a
 * subject nobody serves fails at once (no responders → 503) instead of waiting for the
 * timeout (→ 504). Each call is a client span whose context travels in the W3C
 * `traceparent` header, so the service's span continues the caller's trace.
 */
export class RpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {}

  async call<S extends RpcSubject>(
    subject: S,
    data: RpcRequest<S>,
    opts: { timeoutMs?: number } = {},
  ): Promise<RpcResponse<S>> {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    const { span, context } = startSpan(subject, {
      kind: SpanKind.CLIENT,
      attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
    });
    try {
      const h = natsHeaders();
      h.set(BusHeaders.correlationId, currentCorrelationId() ?? randomUUID());
      injectTrace(h, context);
      const packet = JSON.stringify({ pattern: subject, data, id: randomUUID() });
      let reply: NestReply;
      try {
        const msg = await this.nc.request(subject, packet, { timeout: opts.timeoutMs ?? this.timeoutMs, headers: h });
        reply = msg.json<NestReply>();
      } catch (err) {
        throw this.transportError(subject, err);
      }
      if (reply.err !== undefined && reply.err !== null) {
        throw isErrorEnvelope(reply.err)
          ? new RpcCallError(reply.err)
          : new RpcCallError({
              code: BusErrorCode.Internal,
              status: typeof reply.err === 'string' && reply.err.includes('no matching message handler') ? 503 : 500,
              message: `${subject} failed`,
            });
      }
      return reply.response as RpcResponse<S>;
    } catch (err) {
      outcome = err instanceof RpcCallError ? String(err.status) : 'error';
      // A 4xx is the service answering as designed; only failures mark the span.
      if (!(err instanceof RpcCallError) || err.status >= 500) failSpan(span, err);
      throw err;
    } finally {
      span.setAttribute('rpc.outcome', outcome);
      span.end();
      rpcClientDuration.observe({ subject, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private transportError(subject: string, err: unknown): RpcCallError {
    if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
      errorsTotal.inc({ kind: 'rpc_timeout' });
      return new RpcCallError({ code: BusErrorCode.Timeout, status: 504, message: `${subject.split('.')[0]} service did not answer in time` });
    }
    if (err instanceof RequestError && err.isNoResponders()) {
      errorsTotal.inc({ kind: 'rpc_no_responders' });
      return new RpcCallError({ code: BusErrorCode.NoResponders, status: 503, message: `${subject.split('.')[0]} service is unavailable` });
    }
    errorsTotal.inc({ kind: 'rpc_error' });
    return new RpcCallError({ code: BusErrorCode.Unavailable, status: 503, message: 'message bus is unavailable' });
  }
}
