/** A playlist as other services need it: enough to list it on a stage. */
export interface PlaylistSummaryDto {
  id: number;
  name: string;
  ownerId: number;
}

/**
 * RPC subjects of the playlists service: subject → request and response.
 * Errors travel as an `ErrorEnvelope`.
 */
export interface PlaylistsRpc {
  /** Summaries of many playlists in one call, in the order asked; unknown ids are left out. */
  'playlists.playlist.getMany': { req: { ids: number[] }; res: PlaylistSummaryDto[] };
  /** The song ids of a playlist in playlist order (a song may appear twice). 404 `PLAYLIST_NOT_FOUND`. */
  'playlists.playlist.songIds': { req: { id: number }; res: { id: number; songIds: number[] } };
}
