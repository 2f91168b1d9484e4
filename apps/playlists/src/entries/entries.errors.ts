import { PlaylistsErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

export const entryNotFound = (playlistId: number, entryId: number) =>
  DomainError.notFound(PlaylistsErrorCode.EntryNotFound, `entry ${entryId} not found in playlist ${playlistId}`);

/** `last` is the highest position allowed: n when adding, n-1 when moving. */
export const invalidPosition = (position: number, last: number) =>
  DomainError.badRequest(
    PlaylistsErrorCode.InvalidPosition,
    last < 0
      ? `position ${position} is out of range: the playlist is empty`
      : `position ${position} is out of range: it must be from 0 to ${last}`,
  );

export const playlistFull = (id: number, max: number) =>
  DomainError.conflict(PlaylistsErrorCode.PlaylistFull, `playlist ${id} already holds the most songs allowed (${max})`);
