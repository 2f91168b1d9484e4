import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope, SocialEvents } from '@octave/contracts';
import type { EventConsumer } from '@octave/platform/events';

/** The durable consumer of the social service's events. */
export const SOCIAL_COUNTERS_CONSUMER = 'identity-social-counters';

/** A social event, narrowed by its type. */
type SocialEvent = { [T in keyof SocialEvents]: { type: T; version: number; data: SocialEvents[T] } }[keyof SocialEvents];

type Counter = 'friends_count' | 'following_count' | 'followers_count';

/**
 * Adds `delta` to one counter of one user in a single UPDATE (no read-modify-write, so
 * concurrent events never lose an update). A deleted user has no row: nothing changes.
 * The columns' `>= 0` checks make a decrement that arrives before its increment (a
 * relay republishing out of order) fail, so the event is retried until it fits
 * instead of the count drifting.
 */
async function add(em: SqlEntityManager, userId: number, counter: Counter, delta: 1 | -1): Promise<void> {
  await em.execute(`UPDATE identity.users SET ${counter} = ${counter} + ? WHERE id = ?`, [delta, userId]);
}

/**
 * Keeps `friendsCount`, `followingCount` and `followersCount` from the social service's
 * events. Runs inside the consumer's transaction with the inbox row, so an event
 * delivered twice is counted once, and events published while identity was down are
 * counted when it is back (the consumer is durable).
 */
export async function applySocialEvent(em: SqlEntityManager, envelope: EventEnvelope): Promise<void> {
  const event = envelope as unknown as SocialEvent;
  if (event.version !== 1) {
    // Not understood yet (a newer social service): retried until identity is upgraded, never dropped.
    throw new Error(`unsupported version ${event.version} of social event ${event.type}`);
  }
  switch (event.type) {
    case 'friendship.accepted':
    case 'friendship.removed': {
      const delta = event.type === 'friendship.accepted' ? 1 : -1;
      await add(em, event.data.requesterId, 'friends_count', delta);
      await add(em, event.data.addresseeId, 'friends_count', delta);
      return;
    }
    case 'follow.created':
    case 'follow.removed': {
      const delta = event.type === 'follow.created' ? 1 : -1;
      await add(em, event.data.followerId, 'following_count', delta);
      await add(em, event.data.followeeId, 'followers_count', delta);
      return;
    }
    case 'block.created':
    case 'block.removed':
      // A block counts nothing itself; the edges it removed come as their own events.
      return;
    default:
      return;
  }
}

/** Registers the counters' durable consumer: the identity service's `subscribe` hook. */
export function subscribeSocialCounters(events: EventConsumer): EventConsumer {
  return events.subscribe({ durable: SOCIAL_COUNTERS_CONSUMER, subjects: ['social.events.>'], handler: applySocialEvent });
}
