import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { FriendRequestStatus } from '@octave/contracts';
import { SOCIAL_SCHEMA } from '../config.js';

/**
 * A friend request, and the friendship it becomes once accepted: one row per pair of
 * users (a unique index on the unordered pair), `userId` being the one who asked.
 */
export const Friendship = defineEntity({
  name: 'Friendship',
  tableName: 'friendships',
  schema: SOCIAL_SCHEMA,
  properties: {
    id: p.integer().primary().autoincrement(),
    /** The requester. */
    userId: p.integer(),
    /** The addressee. */
    friendId: p.integer(),
    status: p.string().$type<FriendRequestStatus>(),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
  },
});

export type Friendship = InferEntity<typeof Friendship>;
