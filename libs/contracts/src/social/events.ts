/**
 * Domain events published by the social service (subject `social.events.<type>`).
 *
 * Each event describes one edge of the graph that really appeared or disappeared, in
 * the transaction that changed it: an idempotent request that changed nothing
 * publishes nothing. So a consumer can keep exact counters by adding one per
 * `…created`/`accepted` and removing one per `…removed` event (identity keeps
 * `friendsCount`, `followingCount` and `followersCount` this way), provided it handles
 * each event id once.
 */
export interface SocialEvents {
  /** Two users became friends: each one's friend count goes up by one. */
  'friendship.accepted': { friendshipId: number; requesterId: number; addresseeId: number };
  /**
   * A friendship ended (not a pending request: those are not counted): each one's
   * friend count goes down by one.
   */
  'friendship.removed': {
    friendshipId: number;
    requesterId: number;
    addresseeId: number;
    reason: SocialRemovalReason;
  };
  /** `followerId` now follows `followeeId`. */
  'follow.created': { followerId: number; followeeId: number };
  /** `followerId` no longer follows `followeeId`. */
  'follow.removed': { followerId: number; followeeId: number; reason: SocialRemovalReason };
  /** `blockerId` blocked `blockedId`; the edges it removed have their own `…removed` events. */
  'block.created': { blockerId: number; blockedId: number };
  /** `blockerId` no longer blocks `blockedId`. */
  'block.removed': { blockerId: number; blockedId: number; reason: SocialRemovalReason };
}

/**
 * Why an edge went away: one of its users removed it (`removed`), a block between the
 * two removed it (`blocked`), or one of its users deleted the account (`userDeleted`).
 */
export type SocialRemovalReason = 'removed' | 'blocked' | 'userDeleted';
