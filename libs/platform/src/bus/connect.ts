import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../observability/index.js';

/**
 * Connects to NATS, failing fast with a helpful message when nothing answers at start,
 * then reconnecting forever once connected (a restart of NATS must not kill services).
 */
export async function connectNats(url: string, name: string, logger: Logger): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 5000,
      // Otherwise every request builds two Error objects (stack traces) up front in case
      // it fails: a measurable cost per RPC, for stacks the RpcClient maps away anyway.
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new Error(
      `cannot reach NATS at ${url} (${(err as Error).message}). Start it, e.g. \`docker compose up -d nats\` or \`nats-server -js\`, or set NATS_URL.`,
      { cause: err },
    );
  }
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') logger.warn({ nats: s.type, server: url }, `NATS ${s.type}`);
    }
  })();
  return nc;
}
