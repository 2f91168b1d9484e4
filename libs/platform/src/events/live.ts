import type { NatsConnection, Status } from '@nats-io/transport-node';
import { eventSubject, type EventData, type EventEnvelope, type EventType, type ServiceName } from '@octave/contracts';
import type { Logger } from '../observability/index.js';

/** Options of `followEvents`. */
export interface FollowEventsOptions {
  /**
   * Called whenever events may have been missed, or already were: the connection was
   * lost, came back, or closed, or a message could not be read. Drop whatever the events
   * keep up to date (clear the cache).
   */
  onGap: () => void;
  logger: Logger;
}

/** A running `followEvents`. */
export interface FollowedEvents {
  /** Stops following; `onGap` is not called any more. */
  close(): void;
}

/**
 * Follows one type of domain event as it is published, for state a process keeps in
 * memory and can always rebuild, such as a cache: a plain NATS subscription to the
 * event's subject (the outbox relay's JetStream publish reaches it too), so every replica
 * gets every event, without a durable consumer, an inbox or acknowledgements. What it
 * does not give is delivery of events published while the connection is down: those are
 * gone for this subscription, which is why `onGap` is called on every disconnection and
 * reconnection. State that must never miss an event belongs in an `EventConsumer`.
 *
 * Resolves once the server has the subscription: events published from then on reach
 * `handler`. A handler that throws is logged and counts as a gap.
 *
 * @example
 * const followed = await followEvents(nc, 'catalog', 'song.deleted', (e) => cache.delete(e.data.songId), {
 *   onGap: () => cache.clear(),
 *   logger,
 * });
 */
export async function followEvents<S extends ServiceName, T extends EventType<S>>(
  nc: NatsConnection,
  service: S,
  type: T,
  handler: (event: EventEnvelope<EventData<S, T>>) => void,
  opts: FollowEventsOptions,
): Promise<FollowedEvents> {
  const subject = eventSubject(service, type);
  const logger = opts.logger.child({ component: 'follow-events', subject });
  let open = true;
  const gap = (reason: string): void => {
    if (!open) return;
    logger.debug({ reason }, 'events may have been missed');
    opts.onGap();
  };

  const sub = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) {
        logger.warn({ err }, 'event subscription failed');
        gap('subscription error');
        return;
      }
      let event: EventEnvelope<EventData<S, T>>;
      try {
        event = msg.json<EventEnvelope<EventData<S, T>>>();
        if (typeof event !== 'object' || event === null || typeof event.data !== 'object' || event.data === null) {
          throw new Error('not an event envelope');
        }
      } catch (e) {
        logger.warn({ err: e }, 'unreadable event');
        gap('unreadable event');
        return;
      }
      try {
        handler(event);
      } catch (e) {
        logger.error({ err: e, eventId: event.id }, 'event handler failed');
        gap('handler failed');
      }
    },
  });

  const statuses = nc.status();
  void (async () => {
    for await (const status of statuses as AsyncIterable<Status>) {
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'close') gap(`connection ${status.type}`);
    }
  })();
  const close = (): void => {
    open = false;
    // The iterator is nats.js's QueuedIterator; stop() ends it (the type only says AsyncIterable).
    (statuses as Partial<{ stop(): void }>).stop?.();
    if (!sub.isClosed()) sub.unsubscribe();
  };
  try {
    // Round trip: the server has processed the SUB before this resolves.
    await nc.flush();
  } catch (err) {
    close();
    throw err;
  }
  return { close };
}
