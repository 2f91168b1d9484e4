import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@octave/platform/observability';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorBody } from '../core/error-body.js';

/** apps/web/dist, from apps/gateway/{src,dist}/web/. */
export const DEFAULT_WEB_DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Paths that belong to the API (and its 404s), never to the web app. */
const API_PATHS = /^\/(api|metrics|realtime)(\/|$)/;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves the web client (apps/web's build) at `/`: its files, and `index.html` for every
 * other path without a file extension, so the app's own routes (`/stages/3`) survive a
 * reload. The API's paths are left to the API, whose unknown routes stay the standard
 * 404. Vite names the files under `assets/` by their content, so they are cached for
 * good; everything else is revalidated, so a new build is seen at once.
 */
export function registerWebApp(fastify: FastifyInstance, opts: { dir?: string; logger: Logger }): void {
  const dir = path.resolve(opts.dir ?? DEFAULT_WEB_DIST_DIR);
  const index = path.join(dir, 'index.html');
  let warned = false;

  const notFound = (reply: FastifyReply, message: string) =>
    reply.status(404).type('application/json; charset=utf-8').send(errorBody(404, message));

  fastify.get('/*', async (request, reply) => {
    const pathname = request.url.split('?')[0];
    if (API_PATHS.test(pathname)) return reply.callNotFound();
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      return notFound(reply, `Cannot GET ${pathname}`);
    }
    // Normalised under the folder: `..` cannot climb out of it.
    const file = path.join(dir, path.normalize(`/${relative}`));
    if (relative !== '/' && (await isFile(file))) {
      const immutable = relative.startsWith('/assets/');
      return reply
        .type(CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream')
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(file));
    }
    // A missing file is a 404; only the app's routes fall back to its page.
    if (path.extname(relative) !== '') return notFound(reply, `Cannot GET ${pathname}`);
    if (!(await isFile(index))) {
      if (!warned) {
        warned = true;
        opts.logger.warn({ dir }, 'the web app is not built (no index.html): run `npm run build`');
      }
      return notFound(reply, 'the web app is not built on this server: run `npm run build`');
    }
    return reply.type(CONTENT_TYPES['.html']).header('cache-control', 'no-cache').send(createReadStream(index));
  });
}
