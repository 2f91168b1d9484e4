import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { PLAYLISTS_SCHEMA } from '../config.js';

/**
 * A playlist. Its entries (`playlist_songs`) and its owner's name (`users`) are read and
 * written in SQL beside it. The table is created by `migrations/0001_init.sql`, not by
 * the ORM.
 */
export const Playlist = defineEntity({
  name: 'Playlist',
  tableName: 'playlists',
  schema: PLAYLISTS_SCHEMA,
  properties: {
    id: p.integer().primary().autoincrement(),
    ownerId: p.integer(),
    name: p.text(),
    description: p.text().nullable(),
    coverKey: p.text().nullable(),
    createdAt: p.datetime().columnType('timestamptz').onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .columnType('timestamptz')
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type Playlist = InferEntity<typeof Playlist>;
