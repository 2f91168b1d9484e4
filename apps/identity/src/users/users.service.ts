import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery, raw } from '@mikro-orm/postgresql';
import type { Actor, MeDto, Page, RpcRequest, UserDto } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';
import { Outbox } from '@octave/platform/events';
import { IdentityErrorCode } from '@octave/contracts';
import { OUTBOX } from '@octave/platform/service';
import { ObjectStore } from '@octave/platform/storage';
import { wrongPassword } from '../auth/auth.errors.js';
import { verifyPassword } from '../auth/passwords.js';
import { decodeSearchCursor, encodeSearchCursor, likePrefixPattern, pageLimitProblems } from './search-cursor.js';
import { User } from './user.entity.js';
import { UserPresenter } from './user.presenter.js';
import { asUniqueUserConflict, userNotFound } from './users.errors.js';
import { assertValid, bioProblems, emailProblems, normaliseUsername, usernameProblems } from './user-validation.js';

/** More ids than this in one `getMany` is a caller bug, not a page. */
const MAX_GET_MANY = 1000;

@Injectable()
export class UsersService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(OUTBOX) private readonly outbox: Outbox<'identity'>,
    private readonly presenter: UserPresenter,
    @Inject(ObjectStore) private readonly store: ObjectStore,
  ) {}

  async get(id: number): Promise<UserDto> {
    return this.presenter.user(await this.find(id));
  }

  async getMe(actor: Actor): Promise<MeDto> {
    return this.presenter.me(await this.find(actor.id));
  }

  async getMany(ids: number[]): Promise<UserDto[]> {
    if (!Array.isArray(ids) || ids.length > MAX_GET_MANY || !ids.every(isId)) {
      throw DomainError.badRequest(IdentityErrorCode.ValidationFailed, `ids must be at most ${MAX_GET_MANY} positive integers`);
    }
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const users = await this.em.find(User, { id: { $in: wanted } });
    const byId = new Map(users.map((u) => [u.id, u]));
    return this.presenter.users(wanted.flatMap((id) => byId.get(id) ?? []));
  }

  /**
   * Keyset paging over `lower(username)` (unique), fetching one row more than asked to
   * know whether another page follows.
   */
  async search(req: RpcRequest<'identity.user.search'>): Promise<Page<UserDto>> {
    assertValid(pageLimitProblems(req.limit));
    const after = req.cursor ? decodeSearchCursor(req.cursor) : undefined;
    const prefix = typeof req.search === 'string' ? req.search.toLowerCase() : '';
    const conditions: FilterQuery<User>[] = [];
    if (prefix) conditions.push({ [raw('lower(username)')]: { $like: likePrefixPattern(prefix) } });
    if (after !== undefined) conditions.push({ [raw('lower(username)')]: { $gt: after } });
    const rows = await this.em.find(User, conditions.length > 0 ? { $and: conditions } : {}, {
      orderBy: { [raw('lower(username)')]: 'asc' },
      limit: req.limit + 1,
    });
    const items = rows.slice(0, req.limit);
    const last = items.at(-1);
    return {
      items: await this.presenter.users(items),
      nextCursor: rows.length > req.limit && last ? encodeSearchCursor(last.username.toLowerCase()) : null,
    };
  }

  async updateMe(req: RpcRequest<'identity.me.update'>): Promise<MeDto> {
    const username = typeof req.username === 'string' ? normaliseUsername(req.username) : req.username;
    // An empty bio is no bio.
    const bio = typeof req.bio === 'string' && req.bio.trim() === '' ? null : req.bio;
    assertValid([
      ...(username !== undefined ? usernameProblems(username) : []),
      ...(req.email !== undefined ? emailProblems(req.email) : []),
      ...(bio !== undefined ? bioProblems(bio) : []),
    ]);
    try {
      const user = await this.em.transactional(async (tx) => {
        const user = await tx.findOne(User, req.actor.id);
        if (!user) throw userNotFound(req.actor.id);
        // Public fields that changed, named as in `User`; the e-mail is private and not announced.
        const fields: string[] = [];
        if (username !== undefined && username !== user.username) {
          user.username = username;
          fields.push('username');
        }
        if (req.email !== undefined && req.email !== user.email) user.email = req.email;
        if (bio !== undefined && bio !== user.bio) {
          user.bio = bio;
          fields.push('bio');
        }
        await tx.flush();
        if (fields.length > 0) {
          await this.outbox.record(tx, 'user.updated', { userId: user.id, username: user.username, fields });
        }
        return user;
      });
      return this.presenter.me(user);
    } catch (err) {
      throw asUniqueUserConflict(err);
    }
  }

  /**
   * Deletes the account (its logins go with it, by cascade) and announces it in the same
   * transaction; the avatar object is removed once the deletion is committed.
   */
  async deleteMe(req: RpcRequest<'identity.me.delete'>): Promise<{ ok: true }> {
    const user = await this.em.findOne(User, req.actor.id, { populate: ['passwordHash'] });
    if (!user) throw userNotFound(req.actor.id);
    if (typeof req.password !== 'string' || !(await verifyPassword(user.passwordHash, req.password))) {
      throw wrongPassword();
    }
    const avatarKey = await this.em.transactional(async (tx) => {
      // RETURNING the avatar as of the deletion: one set concurrently is not left behind.
      const [deleted] = await tx.execute<{ avatar_key: string | null }[]>(
        'DELETE FROM identity.users WHERE id = ? RETURNING avatar_key',
        [user.id],
      );
      if (!deleted) throw userNotFound(user.id);
      await this.outbox.record(tx, 'user.deleted', { userId: user.id });
      return deleted.avatar_key;
    });
    if (avatarKey) await this.store.discard(avatarKey);
    return { ok: true };
  }

  private async find(id: number): Promise<User> {
    const user = isId(id) ? await this.em.findOne(User, id) : null;
    if (!user) throw userNotFound(id);
    return user;
  }
}

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
