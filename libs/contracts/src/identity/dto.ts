/** A public profile (`User` in the API). */
export interface UserDto {
  id: number;
  username: string;
  avatarUrl: string | null;
  bio: string | null;
  friendsCount: number;
  followingCount: number;
  followersCount: number;
  /** ISO-8601, UTC */
  createdAt: string;
}

/** The signed-in user's own profile (`Me` in the API): a `User` plus the e-mail address. */
export interface MeDto extends UserDto {
  email: string;
}

/** A short reference to a user, embedded in other aggregates. */
export interface UserRefDto {
  id: number;
  username: string;
}

export interface TokenPairDto {
  accessToken: string;
  refreshToken: string;
}

export interface SessionDto extends TokenPairDto {
  user: MeDto;
}
