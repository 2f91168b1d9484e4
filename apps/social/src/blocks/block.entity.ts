import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { SOCIAL_SCHEMA } from '../config.js';

/** `blockerId` blocks `blockedId`. */
export const Block = defineEntity({
  name: 'Block',
  tableName: 'blocks',
  schema: SOCIAL_SCHEMA,
  properties: {
    blockerId: p.integer().primary(),
    blockedId: p.integer().primary(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
});

export type Block = InferEntity<typeof Block>;
