import { PlaylistsErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

export const playlistNotFound = (id: number) =>
  DomainError.notFound(PlaylistsErrorCode.PlaylistNotFound, `playlist ${id} not found`);

export const notPlaylistOwner = (id: number) =>
  DomainError.forbidden(PlaylistsErrorCode.NotPlaylistOwner, `only the owner may change playlist ${id}`);

export const userNotFound = (id: number) => DomainError.notFound(PlaylistsErrorCode.UserNotFound, `user ${id} not found`);

export const accountDeleted = () =>
  DomainError.unauthorized(PlaylistsErrorCode.AccountDeleted, 'this account has been deleted');
