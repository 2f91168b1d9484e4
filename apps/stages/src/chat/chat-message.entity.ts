import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { STAGES_SCHEMA } from '../config.js';

/**
 * A chat message of a stage. The sender's name is read from `users` beside it. The
 * table is created by `migrations/0001_init.sql`, not by the ORM.
 */
export const ChatMessage = defineEntity({
  name: 'ChatMessage',
  tableName: 'chat_messages',
  schema: STAGES_SCHEMA,
  properties: {
    id: p.integer().primary().autoincrement(),
    stageId: p.integer(),
    senderId: p.integer(),
    message: p.text(),
    createdAt: p.datetime().columnType('timestamptz'),
  },
});

export type ChatMessage = InferEntity<typeof ChatMessage>;
