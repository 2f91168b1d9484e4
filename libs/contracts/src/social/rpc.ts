import type { Actor, HealthReport, Page, PageRequest } from '../common/index.js';
import type { UserDto } from '../identity/dto.js';
import type { BlockStatusDto, FriendRequestDirection, FriendRequestDto } from './dto.js';

/** The two users of a graph operation: the signed-in one (`actor`) and the one at `userId`. */
export interface ActorAndUser {
  actor: Actor;
  userId: number;
}

/**
 * RPC subjects of the social service: subject → request and response.
 * Errors travel as an `ErrorEnvelope` (codes in `SocialErrorCode`). Every request with
 * an `actor` is authorised by the social service itself. Unknown or deleted users are
 * 404 `USER_NOT_FOUND`.
 */
export interface SocialRpc {
  'social.health.ping': { req: Record<string, never>; res: HealthReport };

  /**
   * Asks `userId` to be friends. When `userId` had already asked the actor, this
   * accepts that request instead and answers it with status `accepted`.
   * 400 `CANNOT_TARGET_SELF`, 403 `BLOCKED`, 409 `ALREADY_FRIENDS` / `FRIEND_REQUEST_EXISTS`.
   */
  'social.friendRequest.create': { req: ActorAndUser; res: FriendRequestDto };
  /** The actor's pending requests, newest first. */
  'social.friendRequest.list': {
    req: PageRequest & { actor: Actor; direction: FriendRequestDirection };
    res: Page<FriendRequestDto>;
  };
  /**
   * The addressee accepts. 404 `FRIEND_REQUEST_NOT_FOUND`, 403 `NOT_REQUEST_ADDRESSEE`,
   * 409 `FRIEND_REQUEST_NOT_PENDING`.
   */
  'social.friendRequest.accept': { req: { actor: Actor; requestId: number }; res: FriendRequestDto };
  /** The addressee declines; the request is deleted. Errors as for accept. */
  'social.friendRequest.decline': { req: { actor: Actor; requestId: number }; res: { ok: true } };
  /** The requester withdraws a pending request. 403 `NOT_REQUEST_REQUESTER`, else as for accept. */
  'social.friendRequest.cancel': { req: { actor: Actor; requestId: number }; res: { ok: true } };

  /** Friends of `userId`, most recent friendships first, as full profiles. */
  'social.friends.list': { req: PageRequest & ActorAndUser; res: Page<UserDto> };
  /** Ends the friendship with `userId`. 404 `NOT_FRIENDS`. */
  'social.friends.remove': { req: ActorAndUser; res: { ok: true } };
  /** Ids of every friend of `userId` (for other services, e.g. "stages of my friends"). */
  'social.friends.ids': { req: { userId: number }; res: { ids: number[] } };

  /** The actor follows `userId`; idempotent. 400 `CANNOT_TARGET_SELF`, 403 `BLOCKED`. */
  'social.follow.create': { req: ActorAndUser; res: { ok: true } };
  /** The actor stops following `userId`; idempotent. */
  'social.follow.remove': { req: ActorAndUser; res: { ok: true } };
  /** Whom `userId` follows, most recent first, as full profiles. */
  'social.follow.listFollowing': { req: PageRequest & ActorAndUser; res: Page<UserDto> };
  /** Who follows `userId`, most recent first, as full profiles. */
  'social.follow.listFollowers': { req: PageRequest & ActorAndUser; res: Page<UserDto> };

  /**
   * The actor blocks `userId`; idempotent. Removes the friendship, requests and follows
   * between the two, both ways, and forbids new ones (403) until unblocked.
   */
  'social.block.create': { req: ActorAndUser; res: { ok: true } };
  /** The actor lifts their block of `userId`; idempotent. */
  'social.block.remove': { req: ActorAndUser; res: { ok: true } };
  /** Whether `userId` and `otherUserId` block each other, and which way (e.g. a stage host and a joiner). */
  'social.block.check': { req: { userId: number; otherUserId: number }; res: BlockStatusDto };
}

export const SocialErrorCode = {
  /** 400: invalid input; `message` lists every problem. */
  ValidationFailed: 'VALIDATION_FAILED',
  /** 400: befriending, following or blocking oneself. */
  CannotTargetSelf: 'CANNOT_TARGET_SELF',
  /** 404: no such user (or the account was deleted). */
  UserNotFound: 'USER_NOT_FOUND',
  /** 403: one of the two users blocks the other. */
  Blocked: 'BLOCKED',
  /** 409: the two are friends already. */
  AlreadyFriends: 'ALREADY_FRIENDS',
  /** 409: the actor has already asked this user. */
  FriendRequestExists: 'FRIEND_REQUEST_EXISTS',
  /** 404: no such request, or not one of the actor's. */
  FriendRequestNotFound: 'FRIEND_REQUEST_NOT_FOUND',
  /** 409: the request was accepted already. */
  FriendRequestNotPending: 'FRIEND_REQUEST_NOT_PENDING',
  /** 403: only the addressee may accept or decline. */
  NotRequestAddressee: 'NOT_REQUEST_ADDRESSEE',
  /** 403: only the requester may cancel. */
  NotRequestRequester: 'NOT_REQUEST_REQUESTER',
  /** 404: unfriending someone who is not a friend. */
  NotFriends: 'NOT_FRIENDS',
} as const;
