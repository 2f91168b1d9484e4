import { Inject, Injectable } from '@nestjs/common';
import type { MeDto, UserDto } from '@octave/contracts';
import { ObjectStore } from '@octave/platform/storage';
import { SERVICE_CONFIG } from '@octave/platform/service';
import type { IdentityConfig } from '../config.js';
import type { User } from './user.entity.js';

/** Turns accounts into the API's `User` and `Me`. */
@Injectable()
export class UserPresenter {
  constructor(
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async user(user: User): Promise<UserDto> {
    return {
      id: user.id,
      username: user.username,
      // Presigning is local computation (the region is configured): no request per user.
      avatarUrl: user.avatarKey ? await this.store.presignedGetUrl(user.avatarKey, this.config.MEDIA_URL_TTL_SECONDS) : null,
      bio: user.bio ?? null,
      friendsCount: user.friendsCount,
      followingCount: user.followingCount,
      followersCount: user.followersCount,
      createdAt: user.createdAt.toISOString(),
    };
  }

  async me(user: User): Promise<MeDto> {
    return { ...(await this.user(user)), email: user.email };
  }

  users(users: User[]): Promise<UserDto[]> {
    return Promise.all(users.map((u) => this.user(u)));
  }
}
