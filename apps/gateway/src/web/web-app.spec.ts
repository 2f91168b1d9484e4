import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@octave/platform/observability';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerWebApp } from './web-app.js';

const logger = createLogger('gateway-test', { level: 'silent' });
let dir: string;
let app: FastifyInstance;

/** A Fastify app with the web app and an API route, and a 404 handler standing in for Nest's. */
async function serve(webDir: string): Promise<FastifyInstance> {
  const fastify = Fastify();
  fastify.setNotFoundHandler((req, reply) => reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `Cannot GET ${req.url}` }));
  fastify.get('/api/health/live', async () => ({ status: 'ok' }));
  registerWebApp(fastify, { dir: webDir, logger });
  await fastify.ready();
  return fastify;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'octave-web-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Octave</title>');
  await writeFile(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'robots.txt'), 'User-agent: *');
  await writeFile(path.join(path.dirname(dir), 'secret.txt'), 'outside');
  app = await serve(dir);
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(path.join(path.dirname(dir), 'secret.txt'), { force: true });
});

describe('registerWebApp', () => {
  it('serves the page at / without letting it be cached stale', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<title>Octave</title>');
  });

  it('serves built files with their type, content-hashed assets cached for good', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log(1)');
    const txt = await app.inject({ method: 'GET', url: '/robots.txt' });
    expect(txt.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(txt.headers['cache-control']).toBe('no-cache');
  });

  it("answers the app's own routes with its page, so deep links and reloads work", async () => {
    for (const url of ['/stages/3', '/playlists/12?tab=songs', '/login']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<title>Octave</title>');
    }
  });

  it('answers a missing file with a 404 error body, not the page', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/gone-123.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /assets/gone-123.js' });
  });

  it('never serves a file outside its folder', async () => {
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('outside');
    }
  });

  it("leaves the API's paths to the API: its routes answer, unknown ones stay the API's 404", async () => {
    expect((await app.inject({ method: 'GET', url: '/api/health/live' })).json()).toEqual({ status: 'ok' });
    for (const url of ['/api', '/api/no-such-route', '/metrics/x', '/realtime/']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ statusCode: 404, message: `Cannot GET ${url}` });
    }
  });

  it('answers with a 404 error body that says why when the app is not built', async () => {
    const bare = await serve(path.join(dir, 'no-such-folder'));
    try {
      const res = await bare.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'the web app is not built on this server: run `npm run build`',
      });
    } finally {
      await bare.close();
    }
  });
});
