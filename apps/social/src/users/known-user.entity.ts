import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { SOCIAL_SCHEMA } from '../config.js';

/**
 * A user the graph may hold edges for, or the tombstone of a deleted one
 * (`deletedAt` set). The table is created by `migrations/0001_init.sql`.
 */
export const KnownUser = defineEntity({
  name: 'KnownUser',
  tableName: 'users',
  schema: SOCIAL_SCHEMA,
  properties: {
    id: p.integer().primary().autoincrement(false),
    deletedAt: p.datetime().columnType('timestamptz').nullable(),
  },
});

export type KnownUser = InferEntity<typeof KnownUser>;
