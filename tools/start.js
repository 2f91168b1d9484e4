// Runs the whole of Octave on this machine from the built apps: `npm start`.
//
// It reads .env when present, fills in local defaults, checks that PostgreSQL and NATS
// answer, starts an embedded S3 server unless S3_ENDPOINT points at one, then starts
// every app and waits until the gateway says the system is ready. Ctrl-C stops it all.
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES } from '@octave/contracts';
import { startS3Server } from '@octave/platform/storage';
import { spawnApp, waitForHttp } from '@octave/platform/testing';

/**
 * Every app, in start order: the services (the list the gateway's readiness checks,
 * kept once in @octave/contracts), then the gateway, which needs them.
 */
const APPS = [...SERVICES, 'gateway'];

const READY_TIMEOUT_MS = 60_000;
const DEPENDENCY_TIMEOUT_MS = 2_000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function say(line) {
  console.log(`[octave] ${line}`);
}
function fail(line) {
  console.error(`[octave] ${line}`);
}

// Values set in the shell win over .env (process.loadEnvFile never overrides them).
if (existsSync('.env')) {
  process.loadEnvFile('.env');
  say('loaded .env');
}

const localDefaults = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
  PORT: '3000',
  // The gateway listens on every interface by default (as containers need); a
  // developer's machine keeps it to itself unless .env says otherwise.
  HOST: '127.0.0.1',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/octave',
  NATS_URL: 'nats://127.0.0.1:4222',
  S3_BUCKET: 'octave',
};
for (const [name, value] of Object.entries(localDefaults)) {
  if (!process.env[name]) process.env[name] = value;
}

/** The URL without its password, for messages. */
function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** Whether something accepts TCP connections at host:port. */
function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: DEPENDENCY_TIMEOUT_MS });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Host and port of a URL; brackets of IPv6 literals removed. */
function hostPort(url, defaultPort) {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || defaultPort) };
}

/** Whether this process could listen on the port (i.e. nothing else does). */
function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function checkDependencies() {
  const startHint = 'start it with `docker compose up -d postgres nats minio`';
  const dependencies = [
    {
      name: 'PostgreSQL',
      url: process.env.DATABASE_URL,
      defaultPort: 5432,
      hint: `${startHint}, or on Debian \`pg_ctlcluster 15 main start\``,
    },
    {
      // NATS_URL may list several servers; the first one must answer.
      name: 'NATS',
      url: process.env.NATS_URL.split(',')[0].trim(),
      defaultPort: 4222,
      hint: `${startHint}, or on Debian \`nats-server -js\``,
    },
  ];
  const results = await Promise.all(
    dependencies.map(async (dep) => {
      let target;
      try {
        target = hostPort(dep.url, dep.defaultPort);
      } catch {
        return `${dep.name}: "${redact(dep.url)}" is not a URL`;
      }
      return (await reachable(target.host, target.port))
        ? null
        : `${dep.name} is not reachable at ${redact(dep.url)}: ${dep.hint}`;
    }),
  );
  const missing = results.filter((r) => r !== null);
  for (const line of missing) fail(line);
  return missing.length === 0;
}

/** Starts the embedded S3 server unless S3_ENDPOINT names one; null when not started. */
async function startEmbeddedS3() {
  if (process.env.S3_ENDPOINT) {
    say(`object storage: ${process.env.S3_ENDPOINT}`);
    return null;
  }
  const port = Number(process.env.S3_PORT || 9000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(`S3_PORT must be a port number, got "${process.env.S3_PORT}"`);
    return undefined;
  }
  const directory = path.join(root, '.data', 's3');
  try {
    const s3 = await startS3Server({ directory, port, bucket: process.env.S3_BUCKET });
    process.env.S3_ENDPOINT = s3.endpoint;
    process.env.S3_ACCESS_KEY = s3.accessKey;
    process.env.S3_SECRET_KEY = s3.secretKey;
    say(`embedded S3 server: ${s3.endpoint} (files in ${path.relative(root, directory)})`);
    return s3;
  } catch (err) {
    if (err && err.code === 'EADDRINUSE') {
      fail(
        `port ${port} is taken, so the embedded S3 server cannot start: set S3_PORT to a free port, ` +
          `or S3_ENDPOINT (with S3_ACCESS_KEY and S3_SECRET_KEY) to use the S3 server already there`,
      );
    } else {
      fail(`the embedded S3 server failed to start: ${err instanceof Error ? err.message : err}`);
    }
    return undefined;
  }
}

async function main() {
  const unbuilt = APPS.filter((name) => !existsSync(path.join(root, 'apps', name, 'dist', 'main.js')));
  if (unbuilt.length > 0) {
    fail(`not built: ${unbuilt.join(', ')}; run \`npm run build\` (npm start does it first)`);
    process.exit(1);
  }
  if (!(await checkDependencies())) process.exit(1);
  if (!process.env.WEB_DIST_DIR && !existsSync(path.join(root, 'apps', 'web', 'dist', 'index.html'))) {
    fail('the web client is not built (apps/web/dist): the API works, but / answers 404; `npm run build` builds it');
  }

  const gatewayPort = Number(process.env.PORT);
  if (!(await portFree(gatewayPort))) {
    fail(`port ${gatewayPort} is taken (another Octave?): stop it or set PORT`);
    process.exit(1);
  }

  const s3 = await startEmbeddedS3();
  if (s3 === undefined) process.exit(1);

  const tty = Boolean(process.stdout.isTTY);
  // pino-pretty writes into a pipe here, which it would otherwise take for "no colours".
  const env = tty ? { FORCE_COLOR: '1' } : {};
  const apps = [];
  let stopping = false;

  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    // The gateway first, so no request reaches a service that is going away.
    const reversed = [...apps].reverse();
    const gateway = reversed.find((a) => a.name === 'gateway');
    if (gateway) await gateway.stop('SIGTERM');
    await Promise.all(reversed.filter((a) => a !== gateway).map((a) => a.stop('SIGTERM')));
    if (s3) await s3.close();
    say('stopped');
    process.exit(code);
  };

  process.on('SIGINT', () => {
    // A second Ctrl-C while stopping: don't wait any longer.
    if (stopping) {
      for (const app of apps) app.child.kill('SIGKILL');
      process.exit(130);
    }
    void shutdown(0);
  });
  process.on('SIGTERM', () => void shutdown(0));
  // Whatever ends this process, leave no app behind (they run in their own process groups).
  process.on('exit', () => {
    for (const app of apps) if (!app.hasExited) app.child.kill('SIGKILL');
  });

  for (const name of APPS) {
    // Human-readable logs in a terminal, JSON otherwise; LOG_PRETTY in .env wins.
    const pretty = process.env.LOG_PRETTY ? undefined : tty;
    const app = spawnApp(name, env, { logPrefix: true, pretty, detached: true });
    apps.push(app);
    void app.exited.then((code) => {
      if (stopping) return;
      fail(`${name} exited unexpectedly with ${code === null ? `signal ${app.child.signalCode}` : `code ${code}`}`);
      void shutdown(1);
    });
  }

  const readyUrl = `http://127.0.0.1:${gatewayPort}/api/health/ready`;
  try {
    await waitForHttp(readyUrl, { timeoutMs: READY_TIMEOUT_MS, processes: apps, intervalMs: 250 });
  } catch (err) {
    // An app that died is reported by its exit handler above.
    if (stopping || apps.some((a) => a.hasExited)) return;
    fail(
      `${readyUrl} did not answer 200 within ${READY_TIMEOUT_MS / 1000} s: ` +
        (err instanceof Error ? err.message.split('\n')[0] : String(err)),
    );
    await shutdown(1);
    return;
  }
  say(`Octave is ready: open http://127.0.0.1:${gatewayPort}/ (the web client; API under /api, docs at /api/docs)`);
}

main().catch((err) => {
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
