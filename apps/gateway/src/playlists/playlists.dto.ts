import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { INT32_MAX, type PlaylistDto, type PlaylistEntryDto } from '@octave/contracts';
import { SongResponse, UserRefResponse } from '../catalog/catalog.dto.js';
import { PageOf } from '../core/paging.js';
import { IsId, unlessAbsent } from '../core/validation.js';

export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 1000;

// Present fields must not be null (`unlessAbsent`): only `description` can be cleared.

// ---- requests ----

export class CreatePlaylistBody {
  @ApiProperty({ minLength: 1, maxLength: NAME_MAX, example: 'Road trip', description: 'Trimmed' })
  @IsString()
  @Length(1, NAME_MAX)
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: DESCRIPTION_MAX, example: 'Songs for the A7' })
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description?: string | null;
}

export class UpdatePlaylistBody {
  @ApiPropertyOptional({ minLength: 1, maxLength: NAME_MAX, description: 'Trimmed' })
  @unlessAbsent
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: DESCRIPTION_MAX, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description?: string | null;
}

export class AddSongBody {
  @ApiProperty({ description: 'The song to add (the same song may be added more than once)', minimum: 1, example: 42 })
  @IsId()
  songId!: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: '0-based place of the new entry, from 0 to the number of entries (the end, the default); the entries from there on move down one',
  })
  @unlessAbsent
  @IsInt()
  @Min(0)
  @Max(INT32_MAX)
  position?: number;
}

export class MoveEntryBody {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'The new 0-based place of the entry, from 0 to the number of entries - 1; the entries in between shift by one',
  })
  @IsInt()
  @Min(0)
  @Max(INT32_MAX)
  position!: number;
}

/** The multipart form of `PUT /api/playlists/:id/cover`, for the OpenAPI document (parsed by hand, streamed). */
export const COVER_UPLOAD_SCHEMA = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'PNG, JPEG or WebP; the content is checked, not the name or type' },
  },
} as const;

// ---- responses ----

export class PlaylistEntryResponse implements PlaylistEntryDto {
  @ApiProperty({ example: 310, description: 'The entry’s own id (moving or removing names it, not the song)' })
  id!: number;
  @ApiProperty({ example: 0, description: '0-based; a playlist’s entries are always at 0..n-1' })
  position!: number;
  @ApiProperty({ type: SongResponse })
  song!: SongResponse;
}

export class PlaylistResponse implements PlaylistDto {
  @ApiProperty({ example: 7 })
  id!: number;
  @ApiProperty({ example: 'Road trip' })
  name!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Songs for the A7' })
  description!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Time-limited URL of the cover image, or null' })
  coverUrl!: string | null;
  @ApiProperty({ type: UserRefResponse })
  owner!: UserRefResponse;
  @ApiProperty({ example: 12, description: 'Number of entries (a song added twice counts twice)' })
  songCount!: number;
  @ApiProperty({ example: 2_712_000, description: 'Sum of the entries’ song durations' })
  durationMs!: number;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Changes with the name, description, cover and entries' })
  updatedAt!: string;
  @ApiPropertyOptional({
    type: PlaylistEntryResponse,
    isArray: true,
    description:
      'The entries in playlist order; only in `GET /api/playlists/:id` and after a move. An entry whose song was ' +
      'deleted a moment ago may already be missing (its position is then skipped until the deletion has propagated), ' +
      'and `songCount`/`durationMs` count the entries shown.',
  })
  songs?: PlaylistEntryResponse[];
}

export const PlaylistPage = PageOf(PlaylistResponse);
