import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { CATALOG_SCHEMA } from '../config.js';

/** A genre. The table is created by `migrations/0001_init.sql`, not by the ORM. */
export const Genre = defineEntity({
  name: 'Genre',
  tableName: 'genres',
  schema: CATALOG_SCHEMA,
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.text(),
  },
});

export type Genre = InferEntity<typeof Genre>;
