import { randomUUID } from 'node:crypto';
import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import { errorsTotal, httpRequestDuration, type Logger, runWithCorrelation } from '@octave/platform/observability';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

// Anything else (too long, spaces, control characters) would end up in logs and bus
// headers verbatim, so it is replaced rather than trusted.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id when it looks like one, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

const kScope = Symbol('octave.requestScope');
type ScopedRequest = FastifyRequest & { [kScope]?: AsyncResource };

/**
 * Per request: the request id header, a correlation context around everything the
 * request runs (guards, pipes, handlers, bus calls, logs), one latency observation and
 * one log line.
 *
 * Fastify reads the body in the request stream's own async context, which loses the
 * correlation id set in `onRequest`; an AsyncResource bound there re-enters it before
 * validation, as @fastify/request-context does.
 */
export function installRequestContext(fastify: FastifyInstance, opts: { logger: Logger; logRequests: boolean }): void {
  const { logger, logRequests } = opts;

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    runWithCorrelation(request.id, () => {
      (request as ScopedRequest)[kScope] = new AsyncResource('octave.request');
      done();
    });
  });

  fastify.addHook('preValidation', (request, _reply, done) => {
    const scope = (request as ScopedRequest)[kScope];
    if (scope) scope.runInAsyncScope(done, undefined);
    else done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    // The route template keeps the label set small; unmatched URLs share one label.
    const route = request.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    httpRequestDuration.observe({ method: request.method, route, status: String(status) }, ms / 1000);
    if (status >= 500) errorsTotal.inc({ kind: 'http_5xx' });
    if (logRequests) {
      logger.info(
        { requestId: request.id, method: request.method, route, status, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    }
    done();
  });
}
