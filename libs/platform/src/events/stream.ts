import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, EVENTS_STREAM_SUBJECTS } from '@octave/contracts';

/** How long JetStream remembers message ids: a relay retrying within it never duplicates. */
export const EVENTS_DUPLICATE_WINDOW_MS = 2 * 60_000;
/** How long events stay in the stream, so a consumer that was down for days catches up. */
export const EVENTS_MAX_AGE_MS = 7 * 24 * 3_600_000;

/** JetStream's "stream name already in use" (another process created it just now). */
const STREAM_NAME_IN_USE = 10058;

/**
 * Creates the domain events stream, or brings an existing one to the expected
 * subjects and limits. Idempotent, and safe when several services start at once.
 */
export async function ensureEventsStream(nats: NatsConnection, opts: { replicas?: number } = {}): Promise<void> {
  const jsm = await jetstreamManager(nats);
  const wanted = {
    subjects: [...EVENTS_STREAM_SUBJECTS],
    // 3 in a clustered production NATS, so losing one server loses no event.
    num_replicas: opts.replicas ?? 1,
    duplicate_window: nanos(EVENTS_DUPLICATE_WINDOW_MS),
    max_age: nanos(EVENTS_MAX_AGE_MS),
  } satisfies Partial<StreamConfig>;

  const current = await jsm.streams.info(EVENTS_STREAM).catch((err: unknown) => {
    if (isStreamNotFound(err)) return undefined;
    throw err;
  });
  if (!current) {
    try {
      await jsm.streams.add({ name: EVENTS_STREAM, storage: StorageType.File, ...wanted });
      return;
    } catch (err) {
      // Lost the race to another service: fall through and check its config.
      if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
    }
  }
  const config = current?.config ?? (await jsm.streams.info(EVENTS_STREAM)).config;
  const upToDate =
    sameSet(config.subjects ?? [], wanted.subjects) &&
    config.duplicate_window === wanted.duplicate_window &&
    config.num_replicas === wanted.num_replicas &&
    config.max_age === wanted.max_age;
  if (!upToDate) {
    // The storage type cannot be changed on an existing stream, so it is left alone.
    await jsm.streams.update(EVENTS_STREAM, wanted);
  }
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
