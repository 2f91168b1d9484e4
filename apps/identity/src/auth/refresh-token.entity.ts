import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { IDENTITY_SCHEMA } from '../config.js';

/**
 * One refresh token of a login. Tokens of one login share `familyId`; only the sha256
 * of the token is kept. `userId` is a plain column: the database cascades deletes.
 */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  schema: IDENTITY_SCHEMA,
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    familyId: p.uuid(),
    userId: p.integer(),
    tokenHash: p.blob(),
    expiresAt: p.datetime().columnType('timestamptz'),
    usedAt: p.datetime().columnType('timestamptz').nullable(),
    revokedAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p.datetime().columnType('timestamptz').onCreate(() => new Date()),
  },
});

export type RefreshToken = InferEntity<typeof RefreshToken>;
