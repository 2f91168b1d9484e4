// Octave's benchmarks (issue 8): `npm run bench` builds, then runs them all; results go
// to stdout and to bench/results/<time>.json. docs/BENCHMARKS.md explains them.
//
//   node bench/run.js [read] [stream] [upload] [fanout] [startup] [--runs=3] [--duration=10] [--subscribers=1000] [--profile=<dir>]
//
// Everything runs on this machine against 127.0.0.1: a private infrastructure and the
// real built apps (bench/system.js), the baselines beside them in the same run.
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import * as Minio from 'minio';
import pg from 'pg';
import { freePort, pcmWav, waitForHttp } from '@octave/platform/testing';
import { api, APPS, BENCH_ENV, cpuMsOf, median, memoryOf, percentile, register, startBenchSystem } from './system.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALL = ['read', 'stream', 'upload', 'fanout', 'startup'];
const args = process.argv.slice(2);
const option = (name, fallback) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const RUNS = option('runs', 3);
const DURATION = option('duration', 10);
/** How many songs the read benchmark spreads its requests over. */
const READ_SONGS = 200;
const SUBSCRIBERS = option('subscribers', 1000);
const PROFILE_DIR = args.find((a) => a.startsWith('--profile='))?.split('=')[1];
const selected = args.filter((a) => !a.startsWith('--'));
const benches = selected.length ? selected : ALL;
const MiB = 1024 * 1024;

const log = (line) => process.stdout.write(`[bench] ${line}\n`);
const load = () => os.loadavg()[0].toFixed(2);
const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function uploadSong(baseUrl, token, bytes, genreIds = []) {
  const form = new FormData();
  form.set('title', 'Bench tone');
  form.set('artist', 'Octave bench');
  form.set('genreIds', genreIds.join(','));
  form.set('file', new Blob([bytes], { type: 'audio/wav' }), 'bench.wav');
  return api(baseUrl, 'POST', '/api/songs', { token, form, expect: [201] });
}

/**
 * The upload `uploadSong` makes, sent with node:http as the direct PUT's minio client
 * sends its body. fetch (undici) takes 0.7–1.0 s to send 50 MiB, against 0.06–0.15 s
 * for node:http, in this process, which also runs the S3 server: the gateway would be
 * charged for the client's work.
 */
function uploadSongHttp(baseUrl, token, bytes) {
  const boundary = `octave-bench-${randomUUID()}`;
  const field = (name, value) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('title', 'Bench tone') +
      field('artist', 'Octave bench') +
      field('genreIds', '') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + bytes.length + tail.length,
    };
    const req = http.request(new URL('/api/songs', baseUrl), { method: 'POST', headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 201) resolve(JSON.parse(body));
        else reject(new Error(`POST /api/songs: ${res.statusCode} ${body}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.write(head);
    req.write(bytes);
    req.end(tail);
  });
}

function cannon(opts) {
  return autocannon({ connections: 50, duration: DURATION, ...opts });
}

function summarize(r) {
  return {
    rps: round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    mbps: round(r.throughput.average / MiB, 1),
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

// --- 1. read through the bus ---------------------------------------------------------

async function benchRead(sys) {
  const { user, accessToken: token } = await register(sys.baseUrl);
  const genres = await Promise.all(
    ['Jazz', 'Ambient'].map((name) => api(sys.baseUrl, 'POST', '/api/genres', { token, json: { name: `${name} ${user.id}` } })),
  );
  // Requests spread over many songs, as a catalog's traffic is: reading one song over and
  // over would let the catalog's coalesced reads (one statement per turn) collapse into
  // one row each.
  const songs = [];
  for (let i = 0; i < READ_SONGS; i += 8) {
    const batch = Array.from({ length: Math.min(8, READ_SONGS - i) }, () =>
      uploadSong(sys.baseUrl, token, pcmWav(16 * 1024), genres.map((g) => g.id)),
    );
    songs.push(...(await Promise.all(batch)));
  }
  const song = songs[0];
  const anySong = (prefix) => [
    { setupRequest: (req) => ({ ...req, path: `${prefix}/${songs[Math.floor(Math.random() * songs.length)].id}` }) },
  ];

  const port = await freePort();
  const baseline = spawn(process.execPath, [path.join(here, 'baseline-server.js')], {
    env: { ...process.env, DATABASE_URL: sys.infra.db.url, PORT: String(port), POOL_MAX: '10' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/health`, { timeoutMs: 20_000 });
    const gatewayUrl = `${sys.baseUrl}/api/songs/${song.id}`;
    const baselineUrl = `http://127.0.0.1:${port}/api/songs/${song.id}`;
    const viaGateway = await api(sys.baseUrl, 'GET', `/api/songs/${song.id}`, { token });
    // Context, not the target's baseline: the same process reading as the catalog does,
    // the requests of one turn of the event loop with one statement.
    const coalescedUrl = `http://127.0.0.1:${port}/coalesced/songs/${song.id}`;
    for (const url of [baselineUrl, coalescedUrl]) {
      const direct = await (await fetch(url)).json();
      if (JSON.stringify(viaGateway) !== JSON.stringify(direct)) {
        throw new Error(`the baseline answers differently:\n${JSON.stringify(viaGateway)}\n${JSON.stringify(direct)}`);
      }
    }
    const sides = {
      gateway: { url: gatewayUrl, headers: { authorization: `Bearer ${token}` }, requests: anySong('/api/songs') },
      baseline: { url: baselineUrl, requests: anySong('/api/songs') },
      coalesced: { url: coalescedUrl, requests: anySong('/coalesced/songs') },
    };
    // CPU per request of each process on each side: robust to other load on the machine.
    const processes = {
      gateway: { gateway: sys.apps.gateway.pid, catalog: sys.apps.catalog.pid },
      baseline: { baseline: baseline.pid },
      coalesced: { baseline: baseline.pid },
    };
    // Each run starts with the next side, so none always runs on the warmer machine.
    const names = Object.keys(sides);
    const orderOf = (i) => [...names.slice(i % names.length), ...names.slice(0, i % names.length)];
    const cpuPerRequest = async (name, run) => {
      const pids = processes[name];
      const before = Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([k, pid]) => [k, await cpuMsOf(pid)])));
      const r = await run();
      const out = {};
      for (const [k, pid] of Object.entries(pids)) out[k] = round((await cpuMsOf(pid)) - before[k]) / Math.max(1, r.requests.total);
      return { r, cpuMsPerRequest: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, round(v, 3)])) };
    };
    log('read: warming up');
    for (const side of Object.values(sides)) await cannon({ ...side, duration: 3 });
    const runs = { gateway: [], baseline: [], coalesced: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const name of orderOf(i)) {
        const before = load();
        const { r, cpuMsPerRequest } = await cpuPerRequest(name, () => cannon(sides[name]));
        const s = summarize(r);
        runs[name].push({ ...s, cpuMsPerRequest, load1: before });
        log(
          `read run ${i + 1} ${name}: ${s.rps} req/s, p50 ${s.p50} ms, p99 ${s.p99} ms, non-2xx ${s.non2xx}, errors ${s.errors}, ` +
            `CPU ms/request ${JSON.stringify(cpuMsPerRequest)} (load ${before})`,
        );
      }
    }
    // A request's own latency, without queueing: one connection, one request at a time.
    // (autocannon's fixed-rate mode sends each second's requests in a burst, so it does
    // not measure this.) At 50 connections on two saturated cores, latency is queueing.
    const single = { gateway: [], baseline: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const name of i % 2 === 0 ? ['gateway', 'baseline'] : ['baseline', 'gateway']) {
        const before = load();
        const s = summarize(await cannon({ ...sides[name], connections: 1 }));
        single[name].push({ ...s, load1: before });
        log(`read with 1 connection run ${i + 1} ${name}: ${s.rps} req/s, p50 ${s.p50} ms, p99 ${s.p99} ms, non-2xx ${s.non2xx} (load ${before})`);
      }
    }
    const med = (side, k) => median(runs[side].map((r) => r[k]));
    const medSingle = (side, k) => median(single[side].map((r) => r[k]));
    return {
      connections: 50,
      durationSeconds: DURATION,
      runs,
      gateway: { rps: med('gateway', 'rps'), p99: med('gateway', 'p99'), p50: med('gateway', 'p50') },
      baseline: { rps: med('baseline', 'rps'), p99: med('baseline', 'p99'), p50: med('baseline', 'p50') },
      ratio: round(med('gateway', 'rps') / med('baseline', 'rps'), 2),
      coalesced: { rps: med('coalesced', 'rps'), p99: med('coalesced', 'p99'), p50: med('coalesced', 'p50') },
      ratioToCoalesced: round(med('gateway', 'rps') / med('coalesced', 'rps'), 2),
      oneConnection: {
        runs: single,
        gateway: { rps: medSingle('gateway', 'rps'), p50: medSingle('gateway', 'p50'), p99: medSingle('gateway', 'p99') },
        baseline: { rps: medSingle('baseline', 'rps'), p50: medSingle('baseline', 'p50'), p99: medSingle('baseline', 'p99') },
      },
      cpuMsPerRequest: {
        gateway: median(runs.gateway.map((r) => r.cpuMsPerRequest.gateway)),
        catalog: median(runs.gateway.map((r) => r.cpuMsPerRequest.catalog)),
        baseline: median(runs.baseline.map((r) => r.cpuMsPerRequest.baseline)),
        coalesced: median(runs.coalesced.map((r) => r.cpuMsPerRequest.baseline)),
      },
    };
  } finally {
    baseline.kill('SIGTERM');
  }
}

// --- 2. realtime fan-out -------------------------------------------------------------

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

function workerCall(worker, msg, reply) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m.type === 'error') reject(new Error(m.message));
      else if (m.type === reply) resolve(m);
      else return;
      worker.off('message', onMessage);
    };
    worker.on('message', onMessage);
    worker.send(msg);
  });
}

async function benchFanout(sys) {
  const host = await register(sys.baseUrl, 'host');
  const t0 = performance.now();
  // argon2 makes registration CPU-bound: small batches, and a fresh name on a retry
  // (a timed-out registration may still have created its user).
  const registerRetrying = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await register(sys.baseUrl, 'fan');
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  };
  const users = await inBatches(Array.from({ length: SUBSCRIBERS }), 8, registerRetrying);
  const registerSeconds = round((performance.now() - t0) / 1000, 1);
  log(`fanout: ${SUBSCRIBERS} users registered in ${registerSeconds} s`);
  const stage = await api(sys.baseUrl, 'POST', '/api/stages', { token: host.accessToken, json: { name: 'Bench stage' } });
  await inBatches(users, 50, (u) => api(sys.baseUrl, 'POST', `/api/stages/${stage.id}/join`, { token: u.accessToken }));

  const workers = [0, 1].map(() => fork(path.join(here, 'fanout-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const t1 = performance.now();
  const half = Math.ceil(users.length / 2);
  await Promise.all(
    workers.map((w, i) =>
      workerCall(w, { type: 'connect', baseUrl: sys.baseUrl, stageId: stage.id, tokens: users.slice(i * half, (i + 1) * half).map((u) => u.accessToken) }, 'connected'),
    ),
  );
  const connectSeconds = round((performance.now() - t1) / 1000, 1);
  log(`fanout: ${SUBSCRIBERS} sockets connected and subscribed in ${connectSeconds} s`);

  let seq = 0;
  /** Sends `rate` messages per second for `seconds`, at fixed times; resolves when all are answered. */
  const sendPhase = async (rate, seconds) => {
    const count = Math.round(rate * seconds);
    const start = performance.now() + 50;
    const sends = [];
    let failed = 0;
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const sentAt = performance.timeOrigin + performance.now();
      sends.push(
        api(sys.baseUrl, 'POST', `/api/stages/${stage.id}/chat`, {
          token: host.accessToken,
          json: { message: `b ${++seq} ${sentAt.toFixed(3)}` },
          expect: [201],
        }).catch(() => failed++),
      );
    }
    await Promise.all(sends);
    return { count, failed, startedAt: performance.timeOrigin + start };
  };
  const collect = async (expected) => {
    // Wait (bounded) until every delivery has arrived or nothing more comes.
    let last = -1;
    for (let i = 0; i < 100; i++) {
      const parts = await Promise.all(workers.map((w) => workerCall(w, { type: 'collect' }, 'collected')));
      const received = parts.reduce((n, p) => n + p.received, 0);
      if (received >= expected || received === last) return parts;
      last = received;
      await sleep(200);
    }
    return Promise.all(workers.map((w) => workerCall(w, { type: 'collect' }, 'collected')));
  };

  try {
    await Promise.all(workers.map((w) => workerCall(w, { type: 'reset' }, 'reset')));
    await sendPhase(10, 2); // warm-up
    await collect(20 * SUBSCRIBERS);
    const phases = [];
    for (const rate of [10, 20, 40]) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        await Promise.all(workers.map((w) => workerCall(w, { type: 'reset' }, 'reset')));
        const before = load();
        const sent = await sendPhase(rate, 6);
        const expected = (sent.count - sent.failed) * SUBSCRIBERS;
        const parts = await collect(expected);
        const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
        const received = parts.reduce((n, p) => n + p.received, 0);
        const lastAt = Math.max(...parts.map((p) => p.lastAt));
        const run = {
          offeredPerSecond: rate * SUBSCRIBERS,
          messages: sent.count,
          failedSends: sent.failed,
          expected,
          received,
          deliveredPerSecond: Math.round(received / ((lastAt - sent.startedAt) / 1000)),
          p50: round(percentile(latencies, 50)),
          p99: round(percentile(latencies, 99)),
          max: round(latencies.at(-1) ?? NaN),
          load1: before,
        };
        runs.push(run);
        log(
          `fanout ${rate} msg/s run ${i + 1}: ${run.received}/${run.expected} delivered, ${run.deliveredPerSecond}/s, ` +
            `p50 ${run.p50} ms, p99 ${run.p99} ms, max ${run.max} ms, failed sends ${run.failedSends} (load ${before})`,
        );
      }
      phases.push({
        messagesPerSecond: rate,
        offeredPerSecond: rate * SUBSCRIBERS,
        deliveredPerSecond: median(runs.map((r) => r.deliveredPerSecond)),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        lost: runs.reduce((n, r) => n + (r.expected - r.received), 0),
        runs,
      });
    }
    const gatewayMemory = await memoryOf(sys.apps.gateway.pid);
    return { subscribers: SUBSCRIBERS, registerSeconds, connectSeconds, phases, gatewayRssMiB: round(gatewayMemory.rss / MiB) };
  } finally {
    await Promise.all(workers.map((w) => workerCall(w, { type: 'close' }, 'closed').catch(() => undefined)));
  }
}

// --- 3. upload -----------------------------------------------------------------------

function s3Client(infra, extra = {}) {
  const u = new URL(infra.s3.endpoint);
  return new Minio.Client({
    endPoint: u.hostname,
    port: Number(u.port),
    useSSL: false,
    accessKey: infra.s3.accessKey,
    secretKey: infra.s3.secretKey,
    region: 'us-east-1',
    pathStyle: true,
    ...extra,
  });
}

async function benchUpload(sys) {
  const { accessToken: token } = await register(sys.baseUrl);
  const bytes = pcmWav(50 * MiB);
  const s3 = s3Client(sys.infra);
  const bucket = sys.infra.s3.bucket;
  const pid = sys.apps.gateway.pid;

  // The kernel tracks the peak RSS itself (VmHWM), and writing 5 to clear_refs resets it
  // to the current RSS: the peak during an upload is then exact, where sampling would
  // miss short spikes and take CPU from this process, which also runs the S3 server.
  let peakSeen = 0;
  const viaGateway = async () => {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    const before = await memoryOf(pid);
    const t = performance.now();
    await uploadSongHttp(sys.baseUrl, token, bytes);
    const seconds = (performance.now() - t) / 1000;
    const after = await memoryOf(pid);
    peakSeen = Math.max(peakSeen, after.hwm);
    return { seconds, growthMiB: round((after.hwm - before.rss) / MiB), rssAfterMiB: round((after.rss - before.rss) / MiB) };
  };
  const direct = async (i) => {
    const t = performance.now();
    await s3.putObject(bucket, `bench/direct-${i}`, bytes, bytes.length, { 'Content-Type': 'audio/wav' });
    const seconds = (performance.now() - t) / 1000;
    await s3.removeObject(bucket, `bench/direct-${i}`);
    return { seconds };
  };
  // Context, not the target's baseline: what an upload of unknown length (the gateway's
  // case: a multipart body does not say how long its file is) costs against this store
  // when sent straight from the minio client, as a multipart upload in 8 MiB parts that
  // the store assembles when it completes.
  const s3Multipart = s3Client(sys.infra, { partSize: 8 * MiB });
  const directMultipart = async (i) => {
    const body = Readable.from(
      (function* () {
        for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
      })(),
    );
    const t = performance.now();
    await s3Multipart.putObject(bucket, `bench/multipart-${i}`, body, undefined, { 'Content-Type': 'audio/wav' });
    const seconds = (performance.now() - t) / 1000;
    await s3.removeObject(bucket, `bench/multipart-${i}`);
    return { seconds };
  };
  const sides = { gateway: () => viaGateway(), direct, directMultipart };

  // The gateway's memory before any upload: the first one also loads code and grows the
  // heap, so growth is reported both per upload and over this idle figure.
  const idle = await memoryOf(pid);
  await viaGateway(); // warm-up
  await direct('warm');
  await directMultipart('warm');
  // How the gateway's time splits: the catalog's adoption (its RPC) against the rest
  // (receiving the multipart body and staging it in the store), from the gateway's metrics.
  const adoptSeconds = async () => {
    const text = await (await fetch(`${sys.baseUrl}/metrics`)).text();
    const value = (name) =>
      Number(new RegExp(`^rpc_client_duration_seconds_${name}\\{[^}]*subject="catalog\\.song\\.create"[^}]*\\} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
    return { sum: value('sum'), count: value('count') };
  };
  const runs = { gateway: [], direct: [], directMultipart: [] };
  for (let i = 0; i < RUNS; i++) {
    // Each side goes first, second and last in turn.
    const names = Object.keys(runs);
    const order = names.map((_, k) => names[(k + i) % names.length]);
    for (const name of order) {
      const before = load();
      const adoptBefore = name === 'gateway' ? await adoptSeconds() : undefined;
      const r = await sides[name](i);
      if (adoptBefore) r.catalogAdoptSeconds = round((await adoptSeconds()).sum - adoptBefore.sum, 3);
      const run = { ...r, seconds: round(r.seconds, 3), mibPerSecond: round(50 / r.seconds), load1: before };
      runs[name].push(run);
      const extra = r.growthMiB !== undefined ? `, of which the catalog's adoption ${r.catalogAdoptSeconds} s, RSS +${r.growthMiB} MiB` : '';
      log(`upload run ${i + 1} ${name}: ${run.seconds} s, ${run.mibPerSecond} MiB/s${extra} (load ${before})`);
    }
  }
  const g = median(runs.gateway.map((r) => r.mibPerSecond));
  const d = median(runs.direct.map((r) => r.mibPerSecond));
  const m = median(runs.directMultipart.map((r) => r.mibPerSecond));
  return {
    fileMiB: 50,
    runs,
    gateway: {
      mibPerSecond: g,
      rssGrowthMiB: Math.max(...runs.gateway.map((r) => r.growthMiB)),
      idleRssMiB: round(idle.rss / MiB),
      peakOverIdleMiB: round((peakSeen - idle.rss) / MiB),
    },
    direct: { mibPerSecond: d },
    directMultipart: { mibPerSecond: m },
    ratio: round(g / d, 2),
    ratioToMultipart: round(g / m, 2),
  };
}

// --- 4. streaming --------------------------------------------------------------------

async function benchStream(sys) {
  const { accessToken: token } = await register(sys.baseUrl);
  const song = await uploadSong(sys.baseUrl, token, pcmWav(8 * MiB));
  const db = new pg.Client({ connectionString: sys.infra.db.url });
  await db.connect();
  const { rows } = await db.query('SELECT object_key FROM catalog.songs WHERE id = $1', [song.id]);
  await db.end();
  const s3 = s3Client(sys.infra);
  const directUrl = await s3.presignedGetObject(sys.infra.s3.bucket, rows[0].object_key, 3600);
  const range = `bytes=${MiB}-${MiB + 256 * 1024 - 1}`;
  const sides = {
    gateway: { url: `${sys.baseUrl}/api/songs/${song.id}/stream`, headers: { authorization: `Bearer ${token}`, range } },
    direct: { url: directUrl, headers: { range } },
  };
  for (const [name, side] of Object.entries(sides)) {
    const res = await fetch(side.url, { headers: side.headers });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 206 || body.length !== 256 * 1024) throw new Error(`stream ${name}: ${res.status}, ${body.length} bytes`);
  }
  const connections = 10;
  for (const side of Object.values(sides)) await cannon({ ...side, connections, duration: 3 });
  const runs = { gateway: [], direct: [] };
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? ['gateway', 'direct'] : ['direct', 'gateway'];
    for (const name of order) {
      const before = load();
      // CPU per request: of the gateway and the catalog, and of this process, which is
      // both the client (autocannon) and the S3 server on either side.
      const pids = { gateway: sys.apps.gateway.pid, catalog: sys.apps.catalog.pid };
      const cpuBefore = Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([k, pid]) => [k, await cpuMsOf(pid)])));
      const selfBefore = process.cpuUsage();
      const r = await cannon({ ...sides[name], connections });
      const n = Math.max(1, r.requests.total);
      const self = process.cpuUsage(selfBefore);
      const cpuMsPerRequest = { benchProcess: round((self.user + self.system) / 1000 / n, 3) };
      for (const [k, pid] of Object.entries(pids)) cpuMsPerRequest[k] = round(((await cpuMsOf(pid)) - cpuBefore[k]) / n, 3);
      const s = summarize(r);
      runs[name].push({ ...s, cpuMsPerRequest, load1: before });
      log(
        `stream run ${i + 1} ${name}: ${s.rps} req/s (${s.mbps} MiB/s), p99 ${s.p99} ms, non-2xx ${s.non2xx}, errors ${s.errors}, ` +
          `CPU ms/request ${JSON.stringify(cpuMsPerRequest)} (load ${before})`,
      );
    }
  }
  const med = (side, k) => median(runs[side].map((r) => r[k]));
  const cpu = (side, k) => median(runs[side].map((r) => r.cpuMsPerRequest[k]));
  return {
    rangeKiB: 256,
    connections,
    durationSeconds: DURATION,
    runs,
    gateway: { rps: med('gateway', 'rps'), p99: med('gateway', 'p99') },
    direct: { rps: med('direct', 'rps'), p99: med('direct', 'p99') },
    ratio: round(med('gateway', 'rps') / med('direct', 'rps'), 2),
    // The catalog's share on the direct side is its idle work (outbox polling, consumers).
    cpuMsPerRequest: {
      gateway: { gateway: cpu('gateway', 'gateway'), catalog: cpu('gateway', 'catalog'), benchProcess: cpu('gateway', 'benchProcess') },
      direct: { catalog: cpu('direct', 'catalog'), benchProcess: cpu('direct', 'benchProcess') },
    },
  };
}

// --- 5. start-up time and idle memory ------------------------------------------------

async function benchStartup(sys) {
  const results = {};
  for (const name of APPS) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      await sys.apps[name].stop();
      const t = performance.now();
      const app = await sys.respawn(name);
      await waitForHttp(sys.readyUrl(name), { timeoutMs: 60_000, processes: [app], intervalMs: 20 });
      const readyMs = Math.round(performance.now() - t);
      await sleep(5_000);
      const mem = await memoryOf(app.pid);
      runs.push({ readyMs, idleRssMiB: round(mem.rss / MiB) });
      log(`startup ${name} run ${i + 1}: ready in ${readyMs} ms, RSS after 5 s idle ${round(mem.rss / MiB)} MiB`);
    }
    results[name] = {
      runs,
      readyMs: median(runs.map((r) => r.readyMs)),
      idleRssMiB: median(runs.map((r) => r.idleRssMiB)),
    };
  }
  // The gateway's readiness needs every service: check the system is whole again.
  await waitForHttp(sys.readyUrl('gateway'), { timeoutMs: 60_000 });
  return results;
}

// -------------------------------------------------------------------------------------

const BENCHES = { read: benchRead, fanout: benchFanout, upload: benchUpload, stream: benchStream, startup: benchStartup };

async function main() {
  const unknown = benches.filter((b) => !BENCHES[b]);
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${ALL.join(', ')}`);
  const cpu = os.cpus();
  const machine = {
    cpu: cpu[0]?.model,
    cores: os.availableParallelism(),
    memoryGiB: round(os.totalmem() / 1024 ** 3),
    node: process.version,
    date: new Date().toISOString(),
    load1AtStart: load(),
  };
  log(`machine: ${JSON.stringify(machine)}`);
  log(`apps' settings: ${JSON.stringify(BENCH_ENV)}`);
  const dir = path.join(here, 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const sys = await startBenchSystem({ profileDir: PROFILE_DIR && path.resolve(PROFILE_DIR) });
  const results = { machine, settings: { runs: RUNS, durationSeconds: DURATION, env: BENCH_ENV }, benchmarks: {} };
  try {
    for (const name of benches) {
      log(`${name}: starting (load ${load()})`);
      try {
        results.benchmarks[name] = await BENCHES[name](sys);
      } catch (err) {
        // One failed benchmark must not lose the others: recorded, and the exit code says so.
        log(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
        results.benchmarks[name] = { failed: err instanceof Error ? err.message : String(err) };
        process.exitCode = 1;
      }
      results.benchmarks[name].load1AtEnd = load();
      // Written after each benchmark, so a later failure keeps what was measured.
      await writeFile(file, JSON.stringify(results, null, 2));
    }
  } finally {
    await sys.stop();
  }
  results.machine.load1AtEnd = load();
  await writeFile(file, JSON.stringify(results, null, 2));
  log(`results: ${path.relative(process.cwd(), file)}`);
  const { runs: _r, ...brief } = results.benchmarks;
  log(JSON.stringify(brief, (k, v) => (k === 'runs' ? undefined : v), 2));
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : err}\n`);
    process.exit(1);
  },
);
