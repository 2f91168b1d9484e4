// The system under benchmark: a private infrastructure (a new PostgreSQL database, a
// private nats-server, an s3rver) and the real built apps, as the e2e tests start it,
// with the apps' request logging off and their log level at `warn`.
import { randomBytes } from 'node:crypto';
import { SERVICES } from '@octave/contracts';
import { freePort, spawnApp, startTestInfra, waitForHttp } from '@octave/platform/testing';

export const APPS = [...SERVICES, 'gateway'];

/**
 * Settings every app gets in the benchmarks. Request logging off and `warn` as in a
 * quiet production gateway; the chat rate limit raised so one sender can drive the
 * fan-out benchmark; the upload limit above the 50 MiB file plus its multipart framing.
 */
export const BENCH_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  LOG_REQUESTS: 'false',
  LOG_PRETTY: 'false',
  CHAT_RATE_LIMIT: '10000',
  CHAT_RATE_WINDOW_SECONDS: '1',
  MAX_UPLOAD_BYTES: String(64 * 1024 * 1024),
  MAX_STAGE_PARTICIPANTS: '5000',
};

/**
 * `profileDir`: start every app with `--cpu-prof`, writing its CPU profile there when it
 * stops (open the `.cpuprofile` files in Chrome's DevTools or speedscope).
 */
export async function startBenchSystem({ profileDir } = {}) {
  const infra = await startTestInfra('bench');
  const jwtSecret = randomBytes(32).toString('hex');
  const gatewayPort = await freePort();
  const healthPorts = {};
  for (const name of SERVICES) healthPorts[name] = await freePort();
  const common = { ...infra.env, ...BENCH_ENV, JWT_SECRET: jwtSecret };
  const envOf = (name) =>
    name === 'gateway'
      ? { ...common, HOST: '127.0.0.1', PORT: String(gatewayPort) }
      : { ...common, HEALTH_PORT: String(healthPorts[name]) };
  const readyUrl = (name) =>
    name === 'gateway' ? `http://127.0.0.1:${gatewayPort}/api/health/ready` : `http://127.0.0.1:${healthPorts[name]}/health/ready`;
  const apps = {};
  // Node fills in `${pid}` in the profile's name.
  const nodeArgs = (name) => (profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-\${pid}.cpuprofile`] : []);
  const spawn = (name) => (apps[name] = spawnApp(name, envOf(name), { pretty: false, nodeArgs: nodeArgs(name) }));
  const running = () => APPS.flatMap((n) => apps[n] ?? []);

  const stop = async () => {
    await apps.gateway?.stop();
    await Promise.all(SERVICES.map((n) => apps[n]?.stop()));
    await infra.stop();
  };
  try {
    for (const name of APPS) spawn(name);
    await waitForHttp(readyUrl('gateway'), { timeoutMs: 90_000, processes: running() });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    infra,
    apps,
    baseUrl: `http://127.0.0.1:${gatewayPort}`,
    readyUrl,
    envOf,
    /** Stops one app and starts it again; resolves with the new process (not yet ready). */
    async respawn(name) {
      await apps[name].stop();
      return spawn(name);
    },
    running,
    stop,
  };
}

/** JSON over fetch, failing on an unexpected status. */
export async function api(baseUrl, method, path, { json, token, form, expect } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) body = form;
  const res = await fetch(new URL(path, baseUrl), { method, headers, body, signal: AbortSignal.timeout(180_000) });
  const text = await res.text();
  const wanted = expect ?? [200, 201, 204];
  if (!wanted.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

let userSeq = 0;
/** Registers a new user through the API; returns `{user, accessToken}`. */
export async function register(baseUrl, prefix = 'bench') {
  const n = `${prefix}${process.pid}_${++userSeq}`;
  return api(baseUrl, 'POST', '/api/auth/register', {
    json: { username: n, email: `${n}@bench.test`, password: 'correct horse battery' },
  });
}

/** Resident set size and its high-water mark of a process, in bytes (Linux). */
export async function memoryOf(pid) {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux). */
export async function cpuMsOf(pid) {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces, closed by the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
