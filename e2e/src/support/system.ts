import { randomBytes } from 'node:crypto';
import { SERVICES, type ServiceName } from '@octave/contracts';
import {
  freePort,
  spawnApp,
  startTestInfra,
  waitForHttp,
  type AppProcess,
  type TestInfra,
  type TestInfraOptions,
} from '@octave/platform/testing';

export type AppName = ServiceName | 'gateway';

/**
 * The apps of a system, in start order: the services the gateway waits for (the same
 * list its readiness checks), then the gateway.
 */
export const SYSTEM_APPS: readonly AppName[] = [...SERVICES, 'gateway'];

const READY_TIMEOUT_MS = 60_000;

/**
 * What an untyped answer body is. Tests read arbitrary fields of error bodies and
 * documents, and assert on them; `unknown` would only add casts to every line.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyBody = any;

export interface ApiResponse<T = AnyBody> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text (empty for 204). */
  body: T;
}

export interface ApiRequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as multipart/form-data (fetch sets the boundary). */
  form?: FormData;
  /** Sent as is, with the given content type in `headers`. */
  raw?: RequestInit['body'];
  /** Bearer access token. */
  token?: string;
  headers?: Record<string, string>;
  /** Give up after this long (default 15 s), so a hung request fails the test clearly. */
  timeoutMs?: number;
}

/** A small HTTP client for the gateway, the way any API client would call it. */
export interface Api {
  request<T = AnyBody>(method: string, path: string, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  get<T = AnyBody>(path: string, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  post<T = AnyBody>(path: string, json?: unknown, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  patch<T = AnyBody>(path: string, json?: unknown, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  put<T = AnyBody>(path: string, json?: unknown, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  delete<T = AnyBody>(path: string, json?: unknown, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
}

export function createApi(baseUrl: string): Api {
  const request = async <T>(method: string, path: string, opts: ApiRequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    let body: RequestInit['body'];
    if (opts.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      body = opts.form;
    } else if (opts.raw !== undefined) {
      body = opts.raw;
    }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    const isJson = /\bjson\b/i.test(res.headers.get('content-type') ?? '');
    let parsed: unknown = text;
    if (isJson && text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`${method} ${path}: answer says JSON but is not: ${text.slice(0, 200)}`);
      }
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  const withJson =
    (method: string) =>
    <T>(path: string, json?: unknown, opts: ApiRequestOptions = {}) =>
      request<T>(method, path, { ...opts, json });
  return {
    request,
    get: (path, opts) => request('GET', path, opts),
    post: withJson('POST'),
    patch: withJson('PATCH'),
    put: withJson('PUT'),
    delete: withJson('DELETE'),
  };
}

export interface StartSystemOptions {
  /** Extra environment for every app (e.g. `LOGIN_MAX_FAILURES`). */
  env?: Record<string, string>;
  /** How the infrastructure is made (e.g. a private PostgreSQL cluster the test may crash). */
  infra?: TestInfraOptions;
}

export interface System {
  /** `http://127.0.0.1:<port>`; the API is under `/api`. */
  baseUrl: string;
  infra: TestInfra;
  apps: Record<AppName, AppProcess>;
  /** The secret the apps sign and verify access tokens with. */
  jwtSecret: string;
  api: Api;
  /** Starts an app again (after a kill or stop) with the same environment. */
  restart(app: AppName): Promise<AppProcess>;
  /**
   * Starts one more gateway replica (same environment, its own port) and waits until it
   * is ready; `stop()` stops it with the rest.
   */
  startGateway(): Promise<{ baseUrl: string; api: Api; app: AppProcess }>;
  /** Waits until the gateway reports every service ready. */
  waitReady(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Boots the real, built apps against a fresh test infrastructure (a new PostgreSQL
 * database, a private NATS server, an S3 server) and waits until the gateway is ready.
 * Set TEST_LOG_LEVEL (e.g. `info`) to see the apps' logs.
 */
export async function startSystem(label: string, opts: StartSystemOptions = {}): Promise<System> {
  const infra = await startTestInfra(`e2e_${label}`, opts.infra);
  const jwtSecret = randomBytes(32).toString('hex');
  const gatewayPort = await freePort();
  const showLogs = Boolean(process.env.TEST_LOG_LEVEL);
  const common: Record<string, string> = {
    ...infra.env,
    NODE_ENV: 'test',
    JWT_SECRET: jwtSecret,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...opts.env,
  };
  const envOf = (name: AppName): Record<string, string> =>
    // Services' health ports on any free port: systems of test files running at once must not collide.
    name === 'gateway' ? { ...common, HOST: '127.0.0.1', PORT: String(gatewayPort) } : { HEALTH_PORT: '0', ...common };
  const baseUrl = `http://127.0.0.1:${gatewayPort}`;
  const apps: Partial<Record<AppName, AppProcess>> = {};
  const spawn = (name: AppName) => {
    const app = spawnApp(name, envOf(name), { logPrefix: showLogs, pretty: false });
    apps[name] = app;
    return app;
  };

  const running = () => SYSTEM_APPS.flatMap((name) => apps[name] ?? []);
  const waitReady = (timeoutMs = READY_TIMEOUT_MS) =>
    waitForHttp(`${baseUrl}/api/health/ready`, { timeoutMs, processes: running() });

  const extraGateways: AppProcess[] = [];
  const stop = async () => {
    // The gateways first, as in production, then the services.
    await Promise.all([apps.gateway?.stop(), ...extraGateways.map((g) => g.stop())]);
    await Promise.all(
      SYSTEM_APPS.filter((n) => n !== 'gateway').map((n) => apps[n]?.stop()),
    );
    await infra.stop();
  };

  try {
    for (const name of SYSTEM_APPS) spawn(name);
    await waitReady();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    baseUrl,
    infra,
    apps: apps as Record<AppName, AppProcess>,
    jwtSecret,
    api: createApi(baseUrl),
    restart: async (name) => {
      await apps[name]?.stop();
      return spawn(name);
    },
    startGateway: async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const app = spawnApp('gateway', { ...envOf('gateway'), PORT: String(port) }, { logPrefix: showLogs, pretty: false });
      extraGateways.push(app);
      await waitForHttp(`${url}/api/health/ready`, { timeoutMs: READY_TIMEOUT_MS, processes: [...running(), app] });
      return { baseUrl: url, api: createApi(url), app };
    },
    waitReady,
    stop,
  };
}

/**
 * Checks that the gateway still answers after refusing a large body: a gateway that
 * stops reading a refused upload leaves the client's keep-alive connection stuck, and
 * the client's next request on it hangs. Two requests, so that one surely goes over the
 * connection the refused upload used.
 */
export async function expectStillAnswering(api: Api, path: string, token?: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const res = await api.get(path, { token, timeoutMs: 5_000 }).catch((err: Error) => {
      throw new Error(`GET ${path} after the refused body got no answer (${err.name}): the connection is stuck`);
    });
    if (res.status !== 200) throw new Error(`GET ${path} after the refused body answered ${res.status}`);
  }
}
