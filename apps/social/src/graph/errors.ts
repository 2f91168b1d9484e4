import { SocialErrorCode } from '@octave/contracts';
import { DomainError } from '@octave/platform/bus';

export const invalidInput = (problems: string[]) => DomainError.badRequest(SocialErrorCode.ValidationFailed, problems);

export const cannotTargetSelf = (what: string) =>
  DomainError.badRequest(SocialErrorCode.CannotTargetSelf, `you cannot ${what} yourself`);

export const userNotFound = (id: number) => DomainError.notFound(SocialErrorCode.UserNotFound, `user ${id} not found`);

export const blocked = () => DomainError.forbidden(SocialErrorCode.Blocked, 'one of you has blocked the other');

export const alreadyFriends = (id: number) =>
  DomainError.conflict(SocialErrorCode.AlreadyFriends, `you are already friends with user ${id}`);

export const friendRequestExists = (id: number) =>
  DomainError.conflict(SocialErrorCode.FriendRequestExists, `you have already asked user ${id} to be friends`);

export const friendRequestNotFound = (id: number) =>
  DomainError.notFound(SocialErrorCode.FriendRequestNotFound, `friend request ${id} not found`);

export const friendRequestNotPending = (id: number) =>
  DomainError.conflict(SocialErrorCode.FriendRequestNotPending, `friend request ${id} is not pending`);

export const notRequestAddressee = (id: number) =>
  DomainError.forbidden(SocialErrorCode.NotRequestAddressee, `only the addressee of friend request ${id} may answer it`);

export const notRequestRequester = (id: number) =>
  DomainError.forbidden(SocialErrorCode.NotRequestRequester, `only the requester of friend request ${id} may cancel it`);

export const notFriends = (id: number) => DomainError.notFound(SocialErrorCode.NotFriends, `you are not friends with user ${id}`);
