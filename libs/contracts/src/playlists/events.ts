/** Domain events published by the playlists service (subject `playlists.events.<type>`). */
export interface PlaylistsEvents {
  /** The playlist is gone: stages detach it from their queues. */
  'playlist.deleted': { playlistId: number; ownerId: number };
}
