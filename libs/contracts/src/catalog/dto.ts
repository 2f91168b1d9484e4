import type { UserRefDto } from '../identity/dto.js';

/** A genre songs and stages are tagged with (`Genre` in the API). */
export interface GenreDto {
  id: number;
  /** 1–50 characters, unique case-insensitively. */
  name: string;
}

/** An uploaded song (`Song` in the API). */
export interface SongDto {
  id: number;
  title: string;
  artist: string;
  /** Read from the audio itself at upload. */
  durationMs: number;
  /** The sniffed media type the audio is served with, e.g. `audio/mpeg`. */
  mimeType: string;
  sizeBytes: number;
  /** Sorted by name. */
  genres: GenreDto[];
  uploader: UserRefDto;
  /** Root-relative gateway URL of the audio (`/api/songs/:id/stream`), which honours `Range`. */
  streamUrl: string;
  /** ISO-8601, UTC */
  createdAt: string;
}

/**
 * The fields other services need to show a song in a list (playlists, stage queues).
 * `catalog.song.getMany` answers with whole `SongDto`s, which include these.
 */
export type SongSummaryDto = Pick<SongDto, 'id' | 'title' | 'artist' | 'durationMs' | 'uploader'>;

/** Where a song's audio is stored, for the gateway's streaming route. */
export interface SongStreamInfo {
  /** Key of the audio object in the bucket. */
  objectKey: string;
  mimeType: string;
  sizeBytes: number;
}
