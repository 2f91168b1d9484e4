import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { CATALOG_SCHEMA } from '../config.js';

/**
 * A song and where its audio is. Genres (`song_genres`) and the uploader's name
 * (`uploaders`) are read and written in SQL beside it. The table is created by
 * `migrations/0001_init.sql`, not by the ORM.
 */
export const Song = defineEntity({
  name: 'Song',
  tableName: 'songs',
  schema: CATALOG_SCHEMA,
  properties: {
    id: p.integer().primary().autoincrement(),
    title: p.text(),
    artist: p.text(),
    uploaderId: p.integer(),
    objectKey: p.text(),
    durationMs: p.integer(),
    mimeType: p.text(),
    sizeBytes: p.bigint('number'),
    // Milliseconds only (as the column default): page cursors compare against it exactly.
    createdAt: p.datetime().columnType('timestamptz').onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .columnType('timestamptz')
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type Song = InferEntity<typeof Song>;
