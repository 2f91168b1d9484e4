import { StagesErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

/**
 * Codes of the stages service beyond the contract's `StagesErrorCode`: failures of
 * input and of the services it depends on, named as those services name them.
 */
export const StagesLocalErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  GenreNotFound: 'GENRE_NOT_FOUND',
  PlaylistNotFound: 'PLAYLIST_NOT_FOUND',
  /** 409: pause, resume or seek with no song loaded; next/previous with an empty queue. */
  NothingToPlay: 'NOTHING_TO_PLAY',
  /** 401: the actor's account was deleted (its token is still within its lifetime). */
  AccountDeleted: 'ACCOUNT_DELETED',
  /** 409: the stage has as many playlists as it may hold. */
  TooManyPlaylists: 'TOO_MANY_PLAYLISTS',
} as const;

export const stageNotFound = (id: number) => DomainError.notFound(StagesErrorCode.StageNotFound, `stage ${id} not found`);
export const notHost = (id: number) => DomainError.forbidden(StagesErrorCode.NotHost, `only the host of stage ${id} may do this`);
export const notParticipant = (id: number) =>
  DomainError.forbidden(StagesErrorCode.NotParticipant, `only participants of stage ${id} may do this; join it first`);
export const blockedByHost = (id: number) =>
  DomainError.forbidden(StagesErrorCode.Blocked, `the host of stage ${id} has blocked you`);
export const kicked = (id: number) => DomainError.forbidden(StagesErrorCode.Kicked, `you were removed from stage ${id} and cannot rejoin it`);
export const stageFull = (id: number, max: number) =>
  DomainError.conflict(StagesErrorCode.Full, `stage ${id} is full (${max} participants)`);
export const songNotInQueue = (songId: number) =>
  DomainError.badRequest(StagesErrorCode.SongNotInQueue, `song ${songId} is not in this stage's playlists`);
export const chatRateLimited = (retryAfterSeconds: number) =>
  DomainError.tooManyRequests(StagesErrorCode.ChatRateLimited, 'too many chat messages; wait before sending more', retryAfterSeconds);
export const genreNotFound = (id: number) => DomainError.notFound(StagesLocalErrorCode.GenreNotFound, `genre ${id} not found`);
export const playlistNotFound = (id: number) => DomainError.notFound(StagesLocalErrorCode.PlaylistNotFound, `playlist ${id} not found`);
export const playlistNotAttached = (stageId: number, playlistId: number) =>
  DomainError.notFound(StagesLocalErrorCode.PlaylistNotFound, `playlist ${playlistId} is not on stage ${stageId}`);
export const nothingLoaded = () => DomainError.conflict(StagesLocalErrorCode.NothingToPlay, 'no song is loaded on this stage');
export const queueEmpty = () =>
  DomainError.conflict(StagesLocalErrorCode.NothingToPlay, "this stage's playlists have no songs to play");
export const accountDeleted = () => DomainError.unauthorized(StagesLocalErrorCode.AccountDeleted, 'this account was deleted');
