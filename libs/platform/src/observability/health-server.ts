import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from '@octave/contracts';
import type { Logger } from './logger.js';
import { metricsRegistry } from './metrics.js';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The small HTTP port every service process serves for Kubernetes and Prometheus:
 * `GET /health/live` (the process answers), `GET /health/ready` (its own checks, 503
 * when one is down) and `GET /metrics`. Services have no other HTTP surface.
 */
export async function startHealthServer(opts: {
  port: number;
  host?: string;
  ready: () => Promise<HealthReport>;
  logger: Logger;
}): Promise<HealthServer> {
  const send = (res: http.ServerResponse, status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, JSON.stringify({ status: 'error', message: 'method not allowed' }));
    if (path === '/health/live') return send(res, 200, JSON.stringify({ status: 'ok' }));
    if (path === '/health/ready') {
      opts
        .ready()
        .then((report) => send(res, report.status === 'up' ? 200 : 503, JSON.stringify(report)))
        .catch((err: unknown) => send(res, 503, JSON.stringify({ status: 'down', message: (err as Error).message })));
      return;
    }
    if (path === '/metrics') {
      metricsRegistry
        .metrics()
        .then((text) => send(res, 200, text, metricsRegistry.contentType))
        .catch(() => send(res, 500, ''));
      return;
    }
    send(res, 404, JSON.stringify({ status: 'error', message: 'not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  opts.logger.info({ port }, 'health and metrics listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
