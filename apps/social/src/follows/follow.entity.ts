import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { SOCIAL_SCHEMA } from '../config.js';

/** `followerId` follows `followeeId`. */
export const Follow = defineEntity({
  name: 'Follow',
  tableName: 'follows',
  schema: SOCIAL_SCHEMA,
  properties: {
    followerId: p.integer().primary(),
    followeeId: p.integer().primary(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
});

export type Follow = InferEntity<typeof Follow>;
