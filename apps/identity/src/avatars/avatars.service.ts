import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { IdentityErrorCode, type Actor, type MeDto } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';
import { Outbox } from '@octave/platform/events';
import { IMAGE_TYPES, ObjectNotFoundError, SNIFF_BYTES, sniffMedia } from '@octave/platform/storage';
import { OUTBOX, SERVICE_CONFIG } from '@octave/platform/service';
import type { IdentityConfig } from '../config.js';
import { User } from '../users/user.entity.js';
import { UserPresenter } from '../users/user.presenter.js';
import { userNotFound } from '../users/users.errors.js';
import { AvatarObjects, avatarKey } from './avatar-objects.js';

const STAGING_KEY = /^staging\/[^/]+$/;

@Injectable()
export class AvatarsService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'identity'>,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
    private readonly objects: AvatarObjects,
    private readonly presenter: UserPresenter,
  ) {}

  /**
   * Adopts the object the gateway staged as the actor's avatar. The staged object is
   * always consumed: copied to the avatar's own key when it is an image within the size
   * limit, removed in every case.
   */
  async set(actor: Actor, stagingKey: string): Promise<MeDto> {
    // Only staged uploads are adopted (and then removed): never a live object of any service.
    if (typeof stagingKey !== 'string' || !STAGING_KEY.test(stagingKey)) {
      throw DomainError.badRequest(IdentityErrorCode.ValidationFailed, 'stagingKey must name an object under staging/');
    }
    let key: string;
    try {
      key = await this.adopt(actor.id, stagingKey);
    } finally {
      await this.objects.removeObject(stagingKey);
    }

    let previousKey: string | null;
    let user: User;
    try {
      ({ user, previousKey } = await this.replaceAvatar(actor.id, key));
    } catch (err) {
      await this.objects.removeObject(key);
      throw err;
    }
    if (previousKey) await this.objects.removeObject(previousKey);
    return this.presenter.me(user);
  }

  async remove(actor: Actor): Promise<MeDto> {
    const { user, previousKey } = await this.replaceAvatar(actor.id, null);
    if (previousKey) await this.objects.removeObject(previousKey);
    return this.presenter.me(user);
  }

  /** Checks the staged object and copies it to a new avatar key, which it returns. */
  private async adopt(userId: number, stagingKey: string): Promise<string> {
    const { store } = this.objects;
    const info = await store.stat(stagingKey);
    if (!info) throw DomainError.badRequest(IdentityErrorCode.UploadNotFound, 'the uploaded file was not found');
    if (info.sizeBytes > this.config.MAX_AVATAR_BYTES) {
      throw new DomainError(
        IdentityErrorCode.AvatarTooLarge,
        413,
        `avatar must be at most ${this.config.MAX_AVATAR_BYTES} bytes`,
      );
    }
    let media;
    try {
      media = await sniffMedia(await store.readHead(stagingKey, SNIFF_BYTES), IMAGE_TYPES);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) {
        throw DomainError.badRequest(IdentityErrorCode.UploadNotFound, 'the uploaded file was not found');
      }
      throw err;
    }
    if (!media) {
      throw DomainError.unsupportedMediaType(IdentityErrorCode.UnsupportedMediaType, 'avatar must be a PNG, JPEG or WebP image');
    }
    const key = avatarKey(userId, media.ext);
    // The sniffed type, not whatever the uploader claimed, is what clients are served.
    await store.copy(stagingKey, key, media.mime);
    return key;
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
