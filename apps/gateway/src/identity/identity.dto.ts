import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import type { MeDto, SessionDto, TokenPairDto, UserDto } from '@octave/contracts';
import { PageOf, PageQuery } from '../core/paging.js';
import { unlessAbsent } from '../core/validation.js';

// Case is kept as typed; identity compares usernames case-insensitively.
const USERNAME = /^[A-Za-z0-9_.]+$/;
const USERNAME_MESSAGE = 'username may only contain letters, digits, "_" and "."';

// Present fields must not be null (`unlessAbsent`): only `bio` can be cleared.

// ---- requests ----

export class RegisterBody {
  @ApiProperty({ minLength: 3, maxLength: 32, pattern: USERNAME.source, example: 'ada.l' })
  @IsString()
  @Length(3, 32)
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  username!: string;

  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @Length(8, 128)
  password!: string;
}

export class LoginBody {
  @ApiProperty({ description: 'Username or e-mail address', maxLength: 254, example: 'ada.l' })
  @IsString()
  @Length(1, 254)
  login!: string;

  @ApiProperty({ maxLength: 128, format: 'password' })
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class RefreshTokenBody {
  @ApiProperty({ description: 'The refresh token of the login', maxLength: 1024 })
  @IsString()
  @Length(1, 1024)
  refreshToken!: string;
}

export class UpdateMeBody {
  @ApiPropertyOptional({ minLength: 3, maxLength: 32, pattern: USERNAME.source })
  @unlessAbsent
  @IsString()
  @Length(3, 32)
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  username?: string;

  @ApiPropertyOptional({ format: 'email', maxLength: 254 })
  @unlessAbsent
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  bio?: string | null;
}

export class DeleteMeBody {
  @ApiProperty({ description: 'The current password, to confirm', maxLength: 128, format: 'password' })
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class SearchUsersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Prefix of the username (case-insensitive)', maxLength: 32 })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  search?: string;
}

// ---- responses ----

export class UserResponse implements UserDto {
  @ApiProperty({ type: 'integer', example: 12 })
  id!: number;
  @ApiProperty({ example: 'ada.l' })
  username!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uri' })
  avatarUrl!: string | null;
  @ApiProperty({ type: String, nullable: true })
  bio!: string | null;
  @ApiProperty({ type: 'integer' })
  friendsCount!: number;
  @ApiProperty({ type: 'integer' })
  followingCount!: number;
  @ApiProperty({ type: 'integer' })
  followersCount!: number;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class MeResponse extends UserResponse implements MeDto {
  @ApiProperty({ format: 'email' })
  email!: string;
}

export class TokenPairResponse implements TokenPairDto {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer`' })
  accessToken!: string;
  @ApiProperty({ description: 'Single-use token for POST /api/auth/refresh' })
  refreshToken!: string;
}

export class SessionResponse extends TokenPairResponse implements SessionDto {
  @ApiProperty({ type: MeResponse })
  user!: MeResponse;
}

export const UserPage = PageOf(UserResponse);
