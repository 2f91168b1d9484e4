import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';

/** A refused body up to this size is read and dropped so its client can read the answer. */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
/** A client that takes longer to send the rest of a refused body loses its connection. */
export const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Settles the body of a request answered before it was read (a 401 on an upload, a
 * JSON body over the limit). Closing the connection at once, as Fastify does, makes a
 * client still sending the body fail with EPIPE or ECONNRESET instead of reading the
 * answer. So a body of at most DRAIN_LIMIT_BYTES is read and dropped, as nginx's
 * lingering close does, and the connection is kept; a larger one, or one not sent
 * within DRAIN_TIMEOUT_MS, costs the client its connection.
 */
export function settleUnreadBody(request: IncomingMessage, reply: FastifyReply): void {
  if (request.complete || request.destroyed) return;
  const declared = Number(request.headers['content-length']);
  if (declared > DRAIN_LIMIT_BYTES) {
    void reply.header('connection', 'close');
    return;
  }
  // Fastify asks for the close when its body parser refuses a body.
  reply.removeHeader('connection');
  let received = 0;
  const cutOff = (): void => void request.socket.destroy();
  const timer = setTimeout(cutOff, DRAIN_TIMEOUT_MS).unref();
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > DRAIN_LIMIT_BYTES) cutOff();
  };
  request.on('data', onData);
  request.once('close', () => {
    clearTimeout(timer);
    request.off('data', onData);
  });
  request.resume();
}
