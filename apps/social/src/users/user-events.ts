import type { SqlEntityManager as EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope, IdentityEvents } from '@octave/contracts';
import type { EventConsumer, Outbox } from '@octave/platform/events';
import type { Logger } from '@octave/platform/observability';
import { removeEdgesOf } from '../graph/edges.js';

/** The durable consumer of identity's user events. */
export const USERS_CONSUMER = 'social-users';

/**
 * Keeps the table of users from identity's events: registrations add a row; a deleted
 * account becomes a tombstone and every edge it had is removed and announced, so
 * other users' counters go down.
 */
export class UserEventsHandler {
  constructor(
    private readonly outbox: Outbox<'social'>,
    private readonly logger: Logger,
  ) {}

  subscribe(events: EventConsumer): void {
    // One consumer for every user event: several filter subjects need nats-server 2.10.
    events.subscribe({
      durable: USERS_CONSUMER,
      subjects: ['identity.events.user.>'],
      handler: (em, event) => this.handle(em, event),
    });
  }

  async handle(em: EntityManager, event: EventEnvelope): Promise<void> {
    switch (event.type) {
      case 'user.registered': {
        const { userId } = event.data as IdentityEvents['user.registered'];
        await em.execute('INSERT INTO social.users (id) VALUES (?) ON CONFLICT (id) DO NOTHING', [userId]);
        return;
      }
      case 'user.deleted': {
        const { userId } = event.data as IdentityEvents['user.deleted'];
        // Waits for writes that share-locked the row (UsersDirectory.lockLive), so what
        // they added is seen and removed below; later writes see the tombstone.
        await em.execute(
          `INSERT INTO social.users (id, deleted_at) VALUES (?, now())
           ON CONFLICT (id) DO UPDATE SET deleted_at = coalesce(users.deleted_at, excluded.deleted_at)`,
          [userId],
        );
        await removeEdgesOf(em, this.outbox, userId, 'userDeleted');
        this.logger.info({ userId }, 'removed a deleted user from the graph');
        return;
      }
      default:
        // Profile changes and future user events mean nothing to the graph.
        return;
    }
  }
}
