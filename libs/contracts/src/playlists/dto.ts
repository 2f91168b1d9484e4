import type { SongDto } from '../catalog/dto.js';
import type { UserRefDto } from '../identity/dto.js';

/** One place in a playlist (`PlaylistEntry` in the API). The same song may fill several. */
export interface PlaylistEntryDto {
  /** The entry's own id: moving or removing it names this, not the song. */
  id: number;
  /** 0-based; a playlist's entries always hold positions 0..n-1, without gaps. */
  position: number;
  /** The song as the catalog shows it. */
  song: SongDto;
}

/** A playlist (`Playlist` in the API). Playlists are public; only the owner changes one. */
export interface PlaylistDto {
  id: number;
  /** 1–100 characters, trimmed. */
  name: string;
  /** At most 1000 characters, or null. */
  description: string | null;
  /** A URL the client can GET the cover image at (time-limited), or null. */
  coverUrl: string | null;
  owner: UserRefDto;
  /** Number of entries (a song added twice counts twice). */
  songCount: number;
  /** Sum of the entries' song durations. */
  durationMs: number;
  /** ISO-8601, UTC */
  createdAt: string;
  /** ISO-8601, UTC; changes with the name, description, cover and entries. */
  updatedAt: string;
  /**
   * The entries in playlist order: only in `GET /api/playlists/:id` and after a move.
   * An entry whose song the catalog no longer has (deleted a moment ago, its
   * `song.deleted` still on its way) is left out, and `songCount` and `durationMs`
   * then count the entries shown.
   */
  songs?: PlaylistEntryDto[];
}
