import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** How many lines of a process's output are kept for diagnostics. */
const OUTPUT_LINES = 200;

/**
 * The workspace root. This file is `libs/platform/src/testing/processes.ts` under Jest
 * and `libs/platform/dist/testing/processes.js` once built: both four levels down.
 */
export const workspaceRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface SpawnAppOptions {
  /** Copy every output line to this process's stdout, prefixed with the app's name. */
  logPrefix?: boolean;
  /** Human-readable log lines (sets `LOG_PRETTY`). */
  pretty?: boolean;
  /**
   * Start the app in its own process group, so a Ctrl-C in a terminal reaches only the
   * parent, which can then stop the apps in order. Off by default: an orphaned test
   * process should die with the terminal's Ctrl-C.
   */
  detached?: boolean;
  /** Options for Node itself, before the script (e.g. `--cpu-prof` to profile the app). */
  nodeArgs?: string[];
}

/** A running app process (`apps/<name>/dist/main.js`). */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Exit code once the process has ended; `null` when a signal ended it. */
  exited: Promise<number | null>;
  /** True once the process has ended. */
  readonly hasExited: boolean;
  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<number | null>;
  /** The last lines the process wrote (stdout and stderr, interleaved). */
  output(): string;
}

/** Thrown when an app ends while it was expected to come up. */
export class AppExitedError extends Error {
  constructor(
    readonly app: string,
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    output: string,
  ) {
    super(`${app} exited during start-up (${signal ? `signal ${signal}` : `code ${code}`}); its last output:\n${output}`);
    this.name = 'AppExitedError';
  }
}

/**
 * Runs the built app `apps/<app>/dist/main.js` with this process's Node, from the
 * workspace root. `env` is laid over this process's environment.
 */
export function spawnApp(app: string, env: Record<string, string>, opts: SpawnAppOptions = {}): AppProcess {
  const main = path.join(workspaceRoot, 'apps', app, 'dist', 'main.js');
  if (!existsSync(main)) {
    throw new Error(`${main} does not exist: build the apps first (npm run build)`);
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Jest runs with --experimental-vm-modules; the apps need no such flag, and would
  // print its warning on every start.
  delete childEnv.NODE_OPTIONS;
  if (opts.pretty !== undefined) childEnv.LOG_PRETTY = String(opts.pretty);

  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), main], {
    cwd: workspaceRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });

  const lines: string[] = [];
  const prefix = `[${app}] `;
  const collect = (line: string) => {
    lines.push(line);
    if (lines.length > OUTPUT_LINES) lines.shift();
    if (opts.logPrefix) process.stdout.write(prefix + line + '\n');
  };
  const rlOut = createInterface({ input: child.stdout! });
  const rlErr = createInterface({ input: child.stderr! });
  rlOut.on('line', collect);
  rlErr.on('line', collect);
  // Both streams must be drained before the exit is reported, or output() could miss
  // the last lines (often the reason the process died).
  const drained = Promise.all([
    new Promise<void>((resolve) => rlOut.once('close', resolve)),
    new Promise<void>((resolve) => rlErr.once('close', resolve)),
  ]);

  let hasExited = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      hasExited = true;
      // A grandchild holding the pipes open (pino's transport worker is a thread, not a
      // process, but be safe) must not delay the exit forever.
      void Promise.race([drained, sleep(1000)]).then(() => resolve(code));
    });
    child.once('error', (err) => {
      lines.push(`spawn failed: ${err.message}`);
      hasExited = true;
      resolve(null);
    });
  });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> => {
    if (hasExited) return exited;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    name: app,
    child,
    pid: child.pid ?? -1,
    exited,
    get hasExited() {
      return hasExited;
    },
    stop,
    kill: () => stop('SIGKILL'),
    output: () => lines.join('\n'),
  };
}

export interface WaitForHttpOptions {
  timeoutMs?: number;
  expectStatus?: number;
  /** Fail at once, with its output, when one of these processes ends meanwhile. */
  processes?: AppProcess[];
  intervalMs?: number;
}

/**
 * Polls `url` with GET until it answers `expectStatus` (200 by default). Fails after
 * `timeoutMs`, or as soon as a watched process exits.
 */
export async function waitForHttp(url: string, options: WaitForHttpOptions = {}): Promise<void> {
  const { timeoutMs = 30_000, expectStatus = 200, processes = [], intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    const dead = processes.find((p) => p.hasExited);
    if (dead) {
      const code = await dead.exited;
      throw new AppExitedError(dead.name, code, dead.child.signalCode, dead.output());
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(500, Math.min(5_000, deadline - Date.now()))) });
      const body = await res.text();
      if (res.status === expectStatus) return;
      last = `status ${res.status}: ${body.slice(0, 500)}`;
    } catch (err) {
      last = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
    }
    if (Date.now() >= deadline) {
      const outputs = processes.map((p) => `--- ${p.name} (last output) ---\n${p.output()}`).join('\n');
      throw new Error(`${url} did not answer ${expectStatus} within ${timeoutMs} ms; last: ${last}${outputs ? `\n${outputs}` : ''}`);
    }
    await sleep(intervalMs);
  }
}
