import type { UserDto } from '../identity/dto.js';

/** `pending` until the addressee accepts; an accepted request is the friendship itself. */
export type FriendRequestStatus = 'pending' | 'accepted';

/** Which of my pending requests to list: sent to me, or sent by me. */
export type FriendRequestDirection = 'incoming' | 'outgoing';

/**
 * A friend request (`FriendRequest` in the API). Requests and friendships are the same
 * row: one per pair of users, whichever side asked, `pending` then `accepted`.
 */
export interface FriendRequestDto {
  id: number;
  /** Who asked. */
  requester: UserDto;
  /** Who was asked, and alone may accept or decline. */
  addressee: UserDto;
  status: FriendRequestStatus;
  /** When the request was made (ISO-8601, UTC). */
  createdAt: string;
}

/** Whether two users block each other, and which way. */
export interface BlockStatusDto {
  /** True when either has blocked the other. */
  blocked: boolean;
  /** `userId` has blocked `otherUserId`. */
  userBlocksOther: boolean;
  /** `otherUserId` has blocked `userId`. */
  otherBlocksUser: boolean;
}
