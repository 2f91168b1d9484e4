/** Domain events published by the identity service (subject `identity.events.<type>`). */
export interface IdentityEvents {
  /** A new account. */
  'user.registered': { userId: number; username: string };
  /** Public profile fields changed (only the changed ones are listed in `fields`). */
  'user.updated': { userId: number; username: string; fields: string[] };
  /** The account is gone: every service removes or anonymises what it holds for it. */
  'user.deleted': { userId: number };
}
