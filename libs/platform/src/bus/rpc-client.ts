import { randomUUID } from 'node:crypto';
import {
  BusHeaders,
  type RpcRequest,
  type RpcResponse,
  type RpcSubject,
} from '@octave/contracts';
import { createInbox, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
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
 * NestJS NATS packet format (`{pattern, data, id}`) over plain NATS request/reply
 * (`ReplyInbox` below), so a subject nobody serves fails at once (no responders → 503)
 * instead of waiting for the timeout (→ 504). Each call is a client span whose context travels in the W3C
 * `traceparent` header, so the service's span continues the caller's trace.
 */
export class RpcClient {
  private replies?: ReplyInbox;

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
      this.replies ??= new ReplyInbox(this.nc);
      const answer = await this.replies.request(subject, packet, h, opts.timeoutMs ?? this.timeoutMs);
      if (typeof answer === 'string') throw transportError(subject, answer);
      const reply = answer.json<NestReply>();
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
}

type TransportFailure = 'timeout' | 'no-responders' | 'unavailable';

function transportError(subject: string, failure: TransportFailure): RpcCallError {
  const service = subject.split('.')[0];
  switch (failure) {
    case 'timeout':
      errorsTotal.inc({ kind: 'rpc_timeout' });
      return new RpcCallError({ code: BusErrorCode.Timeout, status: 504, message: `${service} service did not answer in time` });
    case 'no-responders':
      errorsTotal.inc({ kind: 'rpc_no_responders' });
      return new RpcCallError({ code: BusErrorCode.NoResponders, status: 503, message: `${service} service is unavailable` });
    case 'unavailable':
      errorsTotal.inc({ kind: 'rpc_error' });
      return new RpcCallError({ code: BusErrorCode.Unavailable, status: 503, message: 'message bus is unavailable' });
  }
}

interface PendingReply {
  settle: (outcome: Msg | TransportFailure) => void;
  timer: NodeJS.Timeout;
}

/**
 * One inbox subscription (`<inbox>.*`) for the replies of all of a client's requests,
 * as nats.js's own request does, but settling each request without an error object:
 * nats.js makes one (with its stack trace) for every request it cleans up, answered or
 * not, a measurable part of the gateway's CPU. A request nobody serves is answered by
 * the server at once with status 503 ("no responders").
 */
class ReplyInbox {
  private readonly prefix = `${createInbox()}.`;
  private readonly pending = new Map<string, PendingReply>();
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    nc.subscribe(`${this.prefix}*`, {
      callback: (err, msg) => {
        if (err) return;
        const pending = this.pending.get(msg.subject.slice(this.prefix.length));
        pending?.settle(msg.data.length === 0 && msg.headers?.code === 503 ? 'no-responders' : msg);
      },
    });
  }

  request(subject: string, payload: string, headers: MsgHdrs, timeoutMs: number): Promise<Msg | TransportFailure> {
    const token = (++this.next).toString(36);
    return new Promise((resolve) => {
      const entry: PendingReply = {
        settle: (outcome) => {
          clearTimeout(entry.timer);
          this.pending.delete(token);
          resolve(outcome);
        },
        timer: setTimeout(() => entry.settle('timeout'), timeoutMs),
      };
      this.pending.set(token, entry);
      try {
        this.nc.publish(subject, payload, { reply: this.prefix + token, headers });
      } catch {
        // The connection is closed (or draining).
        entry.settle('unavailable');
      }
    });
  }
}
