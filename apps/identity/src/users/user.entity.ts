import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { IDENTITY_SCHEMA } from '../config.js';

/** An account. The table is created by `migrations/0001_init.sql`, not by the ORM. */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  schema: IDENTITY_SCHEMA,
  properties: {
    id: p.integer().primary().autoincrement(),
    username: p.text(),
    email: p.text(),
    // Never serialised, and only loaded where a password is checked.
    passwordHash: p.text().hidden().lazy(),
    bio: p.text().nullable(),
    avatarKey: p.text().nullable(),
    // Written only by atomic `x = x + delta` updates (social events); never set from here.
    friendsCount: p.integer().default(0),
    followingCount: p.integer().default(0),
    followersCount: p.integer().default(0),
    createdAt: p.datetime().columnType('timestamptz').onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .columnType('timestamptz')
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type User = InferEntity<typeof User>;
