import { randomUUID } from 'node:crypto';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, type EventEnvelope } from '@octave/contracts';
import { RpcClient } from '@octave/platform/bus';
import { createLogger } from '@octave/platform/observability';
import { ObjectStore } from '@octave/platform/storage';
import { startTestInfra, type TestInfra } from '@octave/platform/testing';
import { startService } from '@octave/platform/service';
import { identityService, type IdentityApp } from '../app.js';
import { loadIdentityConfig, type IdentityConfig } from '../config.js';

/** The identity service running in this process on real infrastructure, and a way to call it. */
export interface IdentityHarness {
  infra: TestInfra;
  config: IdentityConfig;
  service: IdentityApp;
  /** A caller's own NATS connection, as the gateway has. */
  nc: NatsConnection;
  rpc: RpcClient;
  /** The bucket the service uses, as the gateway sees it (to stage uploads). */
  store: ObjectStore;
  stop(): Promise<void>;
}

export async function startIdentityHarness(label: string, env: Record<string, string> = {}): Promise<IdentityHarness> {
  const infra = await startTestInfra(label);
  try {
    const config = loadIdentityConfig({ ...infra.env, ...env });
    const logger = createLogger('identity', { level: config.LOG_LEVEL });
    const service = await startService(identityService, config, { logger });
    const nc = await connect({ servers: infra.nats.url });
    const store = new ObjectStore({
      endpoint: infra.s3.endpoint,
      accessKey: infra.s3.accessKey,
      secretKey: infra.s3.secretKey,
      bucket: infra.s3.bucket,
    });
    return {
      infra,
      config,
      service,
      nc,
      rpc: new RpcClient(nc, 15_000),
      store,
      stop: async () => {
        await nc.drain();
        await service.close();
        await infra.stop();
      },
    };
  } catch (err) {
    await infra.stop();
    throw err;
  }
}

let counter = 0;

/** A username no other test of the run has used. */
export function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}_${process.pid.toString(36)}${counter}`;
}

/** Registration input for a fresh user. */
export function newUser(prefix = 'user') {
  const username = uniqueName(prefix);
  return { username, email: `${username}@example.com`, password: 'correct horse battery', client: { ip: '127.0.0.1' } };
}

/**
 * Waits for a domain event on JetStream (through a throwaway consumer of the events
 * stream) whose envelope satisfies `match`.
 */
export async function waitForEvent<D>(
  nc: NatsConnection,
  subject: string,
  match: (event: EventEnvelope<D>) => boolean,
  timeoutMs = 10_000,
): Promise<EventEnvelope<D>> {
  const jsm = await jetstreamManager(nc);
  const name = `test_${randomUUID().replace(/-/g, '')}`;
  await jsm.consumers.add(EVENTS_STREAM, {
    name,
    filter_subject: subject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: nanos(60_000),
  });
  try {
    const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, name);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const msg = await consumer.next({ expires: Math.max(1_000, Math.min(5_000, deadline - Date.now())) });
      if (!msg) continue;
      msg.ack();
      const event = msg.json<EventEnvelope<D>>();
      if (match(event)) return event;
    }
    throw new Error(`no matching event on ${subject} within ${timeoutMs} ms`);
  } finally {
    await jsm.consumers.delete(EVENTS_STREAM, name).catch(() => undefined);
  }
}
