import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './net.js';

export interface NatsServerHandle {
  url: string;
  port: number;
  /** Kills the server (SIGKILL when `hard`), keeping its JetStream store. */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port with the same JetStream store. */
  start(): Promise<void>;
  /** Stops it and deletes its store. */
  dispose(): Promise<void>;
}

function natsServerBinary(): string {
  const candidates = [process.env.NATS_SERVER_BIN, '/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) {
    throw new Error('nats-server not found: install it (Debian: apt-get install nats-server) or set NATS_SERVER_BIN');
  }
  return found;
}

/**
 * A private NATS server with JetStream for one test run: its own port and store, so
 * tests never see each other's streams and consumers, nor the machine's shared server.
 */
export async function startNatsServer(): Promise<NatsServerHandle> {
  const bin = natsServerBinary();
  const port = await freePort();
  const storeDir = await mkdtemp(path.join(tmpdir(), 'octave-nats-'));
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async (hard = false) => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
