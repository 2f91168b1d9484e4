import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HealthReport } from '@octave/contracts';
import { startHealthServer, type HealthServer } from './health-server.js';
import { createLogger } from './logger.js';

describe(startHealthServer.name, () => {
  let server: HealthServer;
  let report: HealthReport = { service: 'svc', status: 'up', checks: { database: { status: 'up' } } };
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  beforeAll(async () => {
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      ready: async () => report,
      logger: createLogger('test', { level: 'silent' }),
    });
  });
  afterAll(() => server.close());

  it('answers liveness', async () => {
    const res = await fetch(url('/health/live'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers readiness from the checks: 200 when up, 503 with details when a check is down', async () => {
    expect((await fetch(url('/health/ready'))).status).toBe(200);
    report = { service: 'svc', status: 'down', checks: { database: { status: 'down', message: 'refused' } } };
    const res = await fetch(url('/health/ready'));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ checks: { database: { status: 'down', message: 'refused' } } });
  });

  it('serves Prometheus metrics', async () => {
    const res = await fetch(url('/metrics'));
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/process_cpu_seconds_total/);
  });

  it('answers 404 elsewhere', async () => {
    expect((await fetch(url('/nope'))).status).toBe(404);
  });
});
