import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, eventSubject, type EventEnvelope, type SocialEvents, type UserDto } from '@octave/contracts';
import { createLogger } from '@octave/platform/observability';
import { startService } from '@octave/platform/service';
import { identityService, type IdentityApp } from '../app.js';
import { newUser, startIdentityHarness, type IdentityHarness } from '../testing/identity-harness.js';
import { SOCIAL_COUNTERS_CONSUMER } from './social-counters.js';

type Counts = Pick<UserDto, 'friendsCount' | 'followingCount' | 'followersCount'>;

describe('counters kept from social events', () => {
  let h: IdentityHarness;
  /** The identity service now running: the harness's, or the one started again after a stop. */
  let service: IdentityApp;

  beforeAll(async () => {
    // Quiet: one test makes the consumer fail and retry on purpose, which logs an error.
    h = await startIdentityHarness('identity_counters', { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    service = h.service;
  });
  afterAll(async () => {
    await h?.nc.drain();
    await service?.close();
    await h?.infra.stop();
  });

  const register = async () => (await h.rpc.call('identity.auth.register', newUser('cnt'))).user.id;

  function envelope<T extends keyof SocialEvents>(type: T, data: SocialEvents[T]): EventEnvelope<SocialEvents[T]> {
    return { id: randomUUID(), type, occurredAt: new Date().toISOString(), version: 1, data };
  }

  /** Publishes as the social service's relay does: the event id is the message id. */
  async function publish(event: EventEnvelope, msgID: string = event.id): Promise<void> {
    await jetstream(h.nc).publish(eventSubject('social', event.type), JSON.stringify(event), { msgID });
  }

  async function counts(id: number): Promise<Counts> {
    const { friendsCount, followingCount, followersCount } = await h.rpc.call('identity.user.get', { id });
    return { friendsCount, followingCount, followersCount };
  }

  /** Until the consumer has handled every published event (none pending, none in hand). */
  async function consumed(): Promise<void> {
    const jsm = await jetstreamManager(h.nc);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const info = await jsm.consumers.info(EVENTS_STREAM, SOCIAL_COUNTERS_CONSUMER).catch(() => undefined);
      if (info && info.num_pending === 0 && info.num_ack_pending === 0) return;
      if (Date.now() > deadline) throw new Error('the counters consumer did not catch up in time');
      await sleep(50);
    }
  }

  /** How many messages of the stream carry the event `id`. */
  async function copiesInStream(id: string): Promise<number> {
    const jsm = await jetstreamManager(h.nc);
    const { state } = await jsm.streams.info(EVENTS_STREAM);
    let copies = 0;
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
      if (msg?.json<EventEnvelope>().id === id) copies++;
    }
    return copies;
  }

  it('counts friendships and follows both ways, and their removal', async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    await publish(envelope('friendship.accepted', { friendshipId: 1, requesterId: a, addresseeId: b }));
    await publish(envelope('follow.created', { followerId: a, followeeId: c }));
    await publish(envelope('follow.created', { followerId: b, followeeId: c }));
    await publish(envelope('block.created', { blockerId: c, blockedId: a }));
    await consumed();
    expect(await counts(a)).toEqual({ friendsCount: 1, followingCount: 1, followersCount: 0 });
    expect(await counts(b)).toEqual({ friendsCount: 1, followingCount: 1, followersCount: 0 });
    expect(await counts(c)).toEqual({ friendsCount: 0, followingCount: 0, followersCount: 2 });

    await publish(envelope('friendship.removed', { friendshipId: 1, requesterId: a, addresseeId: b, reason: 'removed' }));
    await publish(envelope('follow.removed', { followerId: a, followeeId: c, reason: 'blocked' }));
    await consumed();
    expect(await counts(a)).toEqual({ friendsCount: 0, followingCount: 0, followersCount: 0 });
    expect(await counts(b)).toEqual({ friendsCount: 0, followingCount: 1, followersCount: 0 });
    expect(await counts(c)).toEqual({ friendsCount: 0, followingCount: 0, followersCount: 1 });
  });

  it('counts an event delivered twice once', async () => {
    const [a, b] = [await register(), await register()];
    const follow = envelope('follow.created', { followerId: a, followeeId: b });
    const friends = envelope('friendship.accepted', { friendshipId: 2, requesterId: a, addresseeId: b });
    // Other message ids get past the stream's duplicate window: the consumer sees each twice.
    for (const event of [follow, friends]) {
      await publish(event);
      await publish(event, randomUUID());
    }
    await consumed();
    expect(await copiesInStream(follow.id)).toBe(2);
    expect(await copiesInStream(friends.id)).toBe(2);
    expect(await counts(a)).toEqual({ friendsCount: 1, followingCount: 1, followersCount: 0 });
    expect(await counts(b)).toEqual({ friendsCount: 1, followingCount: 0, followersCount: 1 });
  });

  it('never goes below zero: a removal that overtakes its creation waits for it', async () => {
    const [a, b] = [await register(), await register()];
    await publish(envelope('follow.removed', { followerId: a, followeeId: b, reason: 'removed' }));
    await sleep(200);
    expect(await counts(b)).toEqual({ friendsCount: 0, followingCount: 0, followersCount: 0 });
    await publish(envelope('follow.created', { followerId: a, followeeId: b }));
    await consumed();
    expect(await counts(a)).toEqual({ friendsCount: 0, followingCount: 0, followersCount: 0 });
    expect(await counts(b)).toEqual({ friendsCount: 0, followingCount: 0, followersCount: 0 });
  });

  it('ignores events about deleted users', async () => {
    const [a, b] = [await register(), await register()];
    await h.rpc.call('identity.me.delete', { actor: { id: b, username: 'x' }, password: newUser().password });
    await publish(envelope('follow.created', { followerId: a, followeeId: b }));
    await consumed();
    expect(await counts(a)).toEqual({ friendsCount: 0, followingCount: 1, followersCount: 0 });
  });

  it('counts what happened while identity was stopped once it is back', async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    await publish(envelope('follow.created', { followerId: a, followeeId: b }));
    await consumed();

    await service.close();
    await publish(envelope('follow.created', { followerId: c, followeeId: b }));
    await publish(envelope('friendship.accepted', { friendshipId: 3, requesterId: a, addresseeId: c }));
    await publish(envelope('follow.removed', { followerId: a, followeeId: b, reason: 'removed' }));

    service = await startService(identityService, h.config, { logger: createLogger('identity', { level: h.config.LOG_LEVEL }) });
    await consumed();
    expect(await counts(a)).toEqual({ friendsCount: 1, followingCount: 0, followersCount: 0 });
    expect(await counts(b)).toEqual({ friendsCount: 0, followingCount: 0, followersCount: 1 });
    expect(await counts(c)).toEqual({ friendsCount: 1, followingCount: 1, followersCount: 0 });
  });
});
