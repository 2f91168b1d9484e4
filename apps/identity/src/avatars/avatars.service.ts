import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import type { Actor, MeDto } from '@octave/contracts';
import { Outbox } from '@octave/platform/events';
import { adoptStagedUpload, IMAGE_TYPES, ObjectStore } from '@octave/platform/storage';
import { OUTBOX, SERVICE_CONFIG } from '@octave/platform/service';
import type { IdentityConfig } from '../config.js';
import { User } from '../users/user.entity.js';
import { UserPresenter } from '../users/user.presenter.js';
import { userNotFound } from '../users/users.errors.js';

@Injectable()
export class AvatarsService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'identity'>,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    private readonly presenter: UserPresenter,
  ) {}

  /**
   * Adopts the object the gateway staged, in place, as the actor's avatar (it is removed
   * if it is not taken). The avatar it replaces is removed once the change is committed,
   * so a failure there only leaves an orphan behind, never a user pointing at a missing
   * avatar.
   */
  async set(actor: Actor, stagingKey: string): Promise<MeDto> {
    const { user, previousKey } = await adoptStagedUpload(
      this.store,
      stagingKey,
      { uploaderId: actor.id, accepted: IMAGE_TYPES, maxBytes: this.config.MAX_AVATAR_BYTES, what: 'avatar' },
      ({ key }) => this.replaceAvatar(actor.id, key),
    );
    if (previousKey) await this.store.discard(previousKey);
    return this.presenter.me(user);
  }

  async remove(actor: Actor): Promise<MeDto> {
    const { user, previousKey } = await this.replaceAvatar(actor.id, null);
    if (previousKey) await this.store.discard(previousKey);
    return this.presenter.me(user);
  }

  /** Points the user at `key` (or at no avatar) and announces it; returns the key it replaced. */
  private replaceAvatar(userId: number, key: string | null): Promise<{ user: User; previousKey: string | null }> {
    return this.em.transactional(async (tx) => {
      // Locked, so concurrent changes of one avatar each see (and clean up) the one before.
      const user = await tx.findOne(User, userId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!user) throw userNotFound(userId);
      const previousKey = user.avatarKey ?? null;
      if (previousKey === key) return { user, previousKey: null };
      user.avatarKey = key;
      await tx.flush();
      await this.outbox.record(tx, 'user.updated', { userId, username: user.username, fields: ['avatarUrl'] });
      return { user, previousKey };
    });
  }
}
