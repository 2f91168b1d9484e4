import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { INT32_MAX, type FriendRequestDirection, type FriendRequestDto, type FriendRequestStatus } from '@octave/contracts';
import { PageOf, PageQuery } from '../core/paging.js';
import { IsId } from '../core/validation.js';
import { UserResponse } from '../identity/identity.dto.js';

// ---- requests ----

export class CreateFriendRequestBody {
  @ApiProperty({ description: 'The user to ask', minimum: 1, maximum: INT32_MAX, example: 12 })
  @IsId()
  userId!: number;
}

export class FriendRequestsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ['incoming', 'outgoing'],
    default: 'incoming',
    description: '`incoming`: sent to me; `outgoing`: sent by me',
  })
  @IsOptional()
  @IsIn(['incoming', 'outgoing'])
  direction?: FriendRequestDirection;
}

// ---- responses ----

export class FriendRequestResponse implements FriendRequestDto {
  @ApiProperty({ example: 7 })
  id!: number;
  @ApiProperty({ type: UserResponse, description: 'Who asked' })
  requester!: UserResponse;
  @ApiProperty({ type: UserResponse, description: 'Who was asked' })
  addressee!: UserResponse;
  @ApiProperty({ enum: ['pending', 'accepted'] })
  status!: FriendRequestStatus;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export const FriendRequestPage = PageOf(FriendRequestResponse);
