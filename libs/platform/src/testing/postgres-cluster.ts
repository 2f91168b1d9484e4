import { execFile, type ExecFileOptions } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './net.js';

const run = promisify(execFile);

export interface PostgresClusterHandle {
  /** Admin URL (user `postgres`, trust authentication, database `postgres`). */
  adminUrl: string;
  port: number;
  /** Stops the server: `immediate` is a crash (no checkpoint), `fast` a clean shutdown. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

/** `initdb`, `pg_ctl`: `PG_BIN_DIR`, else the newest /usr/lib/postgresql/<version>/bin. */
function postgresBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('initdb/pg_ctl not found: install PostgreSQL (Debian: postgresql) or set PG_BIN_DIR');
  }
  return path.join(base, versions[0], 'bin');
}

/**
 * The OS user the server runs as. PostgreSQL refuses to run as root, so under root the
 * cluster belongs to the `postgres` user the Debian package creates.
 */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A private PostgreSQL cluster (`initdb` in a temporary folder, its own port and
 * socket folder) that a test may crash and restart without touching the machine's
 * shared server.
 */
export async function startPostgresCluster(): Promise<PostgresClusterHandle> {
  const bin = postgresBinDir();
  const user = await serverUser();
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'octave-pg-'));
  if (user) await chown(dir, user.uid, user.gid);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');

  const exec = (tool: string, args: string[]) => {
    const options: ExecFileOptions = {
      cwd: dir,
      // The tools' locale must exist; C always does.
      env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...(user ? { HOME: dir, USER: 'postgres' } : {}) },
      ...(user ?? {}),
    };
    return run(path.join(bin, tool), args, options).catch(async (err: Error) => {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`${tool} ${args.join(' ')} failed: ${err.message}${log ? `\nserver log:\n${log.slice(-2000)}` : ''}`);
    });
  };

  const start = async () => {
    await exec('pg_ctl', [
      '-D', dataDir, '-l', logFile, '-w', '-t', '30',
      // Few connections and small buffers: it is for one test run on a small machine.
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100 -c shared_buffers=32MB`,
      'start',
    ]);
    await waitForPort(port, 10_000);
  };
  let running = false;
  const stop = async (mode: 'immediate' | 'fast' = 'fast') => {
    if (!running) return;
    await exec('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
    running = false;
  };

  await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  await start();
  running = true;
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start: async () => {
      if (running) return;
      await start();
      running = true;
    },
    dispose: async () => {
      await stop('fast').catch(() => stop('immediate'));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
