import { loadConfig, storageConfigShape, z } from '@octave/platform/config';
import { serviceConfigShape } from '@octave/platform/service';

/** Port of the service's own health and metrics endpoint, unless HEALTH_PORT says otherwise. */
export const PLAYLISTS_HEALTH_PORT = 3104;

/**
 * The most entries a playlist may hold. A playlist with its songs is one bus message,
 * and its songs come from one `catalog.song.getMany` call, which takes 1000 ids at most.
 */
export const PLAYLIST_SONGS_CEILING = 1000;

export const playlistsConfigShape = {
  ...serviceConfigShape(PLAYLISTS_HEALTH_PORT),
  ...storageConfigShape,
  /** Largest cover image. The gateway enforces it while streaming; the service checks again. */
  MAX_COVER_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  /** Entries a playlist may hold (409 `PLAYLIST_FULL` past it). */
  MAX_PLAYLIST_SONGS: z.coerce.number().int().min(1).max(PLAYLIST_SONGS_CEILING).default(PLAYLIST_SONGS_CEILING),
  /** Lifetime of the presigned cover URLs in responses (S3 allows at most 7 days). */
  MEDIA_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
};

export type PlaylistsConfig = z.infer<z.ZodObject<typeof playlistsConfigShape>>;

export function loadPlaylistsConfig(env: Record<string, string | undefined> = process.env): PlaylistsConfig {
  return loadConfig(playlistsConfigShape, env);
}

/** The PostgreSQL schema the service owns. */
export const PLAYLISTS_SCHEMA = 'playlists';
