/** Domain events published by the catalog service (subject `catalog.events.<type>`). */
export interface CatalogEvents {
  /** A song was uploaded. */
  'song.created': {
    songId: number;
    uploaderId: number;
    title: string;
    artist: string;
    durationMs: number;
    genreIds: number[];
  };
  /** The uploader changed the song; `fields` names what changed (`title`, `artist`, `genreIds`). */
  'song.updated': {
    songId: number;
    uploaderId: number;
    title: string;
    artist: string;
    durationMs: number;
    genreIds: number[];
    fields: string[];
  };
  /**
   * The song and its audio are gone (deleted by its uploader, or with the uploader's
   * account): remove it from every playlist and stage queue.
   */
  'song.deleted': { songId: number; uploaderId: number };
}
