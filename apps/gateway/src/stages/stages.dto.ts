import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type as ToNumber } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { INT32_MAX, type ChatMessageDto, type ParticipantDto, type PlaybackAction, type PlaybackDto, type StageDto } from '@octave/contracts';
import { GenreResponse, UserRefResponse } from '../catalog/catalog.dto.js';
import { PageOf, PageQuery } from '../core/paging.js';
import { IsId, OptionalIdList, unlessAbsent } from '../core/validation.js';

export const STAGE_NAME_MAX = 100;
export const GENRES_PER_STAGE_MAX = 10;
export const PLAYLISTS_PER_STAGE_MAX = 50;
export const CHAT_MESSAGE_MAX = 1000;
export const PLAYBACK_ACTIONS: readonly PlaybackAction[] = ['play', 'pause', 'resume', 'seek', 'next', 'previous'];

// ---- requests ----

export class CreateStageBody {
  @ApiProperty({ minLength: 1, maxLength: STAGE_NAME_MAX, example: 'Friday night jazz', description: 'Trimmed' })
  @IsString()
  @Length(1, STAGE_NAME_MAX)
  name!: string;

  @OptionalIdList(GENRES_PER_STAGE_MAX, 'Genre ids (unknown: 404)')
  genreIds?: number[];

  @OptionalIdList(PLAYLISTS_PER_STAGE_MAX, 'The queue: playlist ids in the order they play (any playlist; unknown: 404)')
  playlistIds?: number[];
}

export class UpdateStageBody {
  @ApiPropertyOptional({ minLength: 1, maxLength: STAGE_NAME_MAX, description: 'Trimmed' })
  @unlessAbsent
  @IsString()
  @Length(1, STAGE_NAME_MAX)
  name?: string;

  @OptionalIdList(GENRES_PER_STAGE_MAX, 'Replaces the genres; [] removes them all')
  genreIds?: number[];
}

export class ListStagesQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only stages tagged with this genre', minimum: 1 })
  @IsOptional()
  @ToNumber(() => Number)
  @IsId()
  genreId?: number;

  @ApiPropertyOptional({ description: 'Only stages hosted by this user', minimum: 1 })
  @IsOptional()
  @ToNumber(() => Number)
  @IsId()
  hostId?: number;

  @ApiPropertyOptional({ type: Boolean, description: '`true`: only stages hosted or joined by my friends' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'friends must be true or false' })
  friends?: boolean;
}

export class KickBody {
  @ApiProperty({ description: 'The participant to remove; they cannot join this stage again', minimum: 1, example: 12 })
  @IsId()
  userId!: number;
}

export class AttachPlaylistBody {
  @ApiProperty({ description: 'Any playlist (playlists are public); it is appended to the queue', minimum: 1, example: 7 })
  @IsId()
  playlistId!: number;
}

export class PlaybackControlBody {
  @ApiProperty({ enum: PLAYBACK_ACTIONS, example: 'play' })
  @IsIn(PLAYBACK_ACTIONS)
  action!: PlaybackAction;

  @ApiPropertyOptional({ description: 'For `play` (required): a song of one of the stage’s playlists', minimum: 1 })
  @ValidateIf((body: PlaybackControlBody) => body.action === 'play' || body.songId !== undefined)
  @IsInt({ message: 'songId must be an integer (play needs one)' })
  @Min(1)
  @Max(INT32_MAX)
  songId?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: 'For `seek` (required) and `play` (optional, default 0): where in the song, below its duration',
  })
  @ValidateIf((body: PlaybackControlBody) => body.action === 'seek' || body.positionMs !== undefined)
  @IsInt({ message: 'positionMs must be an integer (seek needs one)' })
  @Min(0)
  @Max(INT32_MAX)
  positionMs?: number;
}

export class ChatBody {
  @ApiProperty({ minLength: 1, maxLength: CHAT_MESSAGE_MAX, description: 'Trimmed, then 1 to 1000 characters', example: 'great tune!' })
  @IsString()
  @Length(1, 4 * CHAT_MESSAGE_MAX) // the service counts characters after trimming
  message!: string;
}

export class ChatHistoryQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only messages older than this one (a message id: `nextCursor` of the previous page)', minimum: 1 })
  @IsOptional()
  @ToNumber(() => Number)
  @IsId()
  before?: number;
}

/** The multipart form of `PUT /api/stages/:id/cover`, for the OpenAPI document (parsed by hand, streamed). */
export const STAGE_COVER_SCHEMA = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'PNG, JPEG or WebP; the content is checked, not the name or type' },
  },
} as const;

// ---- responses ----

export class PlaybackResponse implements PlaybackDto {
  @ApiProperty({ type: 'integer', nullable: true, example: 42, description: 'The song playing, or null' })
  songId!: number | null;
  @ApiProperty({ type: 'integer', example: 61250, description: 'Position at `serverTime`' })
  positionMs!: number;
  @ApiProperty()
  paused!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the song was started from its beginning' })
  startedAt!: string | null;
  @ApiProperty({
    format: 'date-time',
    description: 'The server clock when this was computed: play `songId` at `positionMs + (now - serverTime)` unless paused',
  })
  serverTime!: string;
}

export class ParticipantResponse implements ParticipantDto {
  @ApiProperty({ example: 12 })
  id!: number;
  @ApiProperty({ example: 'ada.l' })
  username!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uri' })
  avatarUrl!: string | null;
}

export class StagePlaylistResponse {
  @ApiProperty({ example: 7 })
  id!: number;
  @ApiProperty({ example: 'Warm-up' })
  name!: string;
}

export class StageResponse implements StageDto {
  @ApiProperty({ example: 3 })
  id!: number;
  @ApiProperty({ example: 'Friday night jazz' })
  name!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Time-limited URL of the cover image, or null' })
  coverUrl!: string | null;
  @ApiProperty({ type: UserRefResponse })
  host!: UserRefResponse;
  @ApiProperty({ type: GenreResponse, isArray: true, description: 'Sorted by name' })
  genres!: GenreResponse[];
  @ApiProperty({ type: StagePlaylistResponse, isArray: true, description: 'The queue, in the order it plays' })
  playlists!: StagePlaylistResponse[];
  @ApiProperty({ example: 18 })
  participantCount!: number;
  @ApiProperty({ type: PlaybackResponse })
  nowPlaying!: PlaybackResponse;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiPropertyOptional({
    type: ParticipantResponse,
    isArray: true,
    description: 'Only in `GET /api/stages/:id`: everyone in the stage, in the order they joined (the host first)',
  })
  participants?: ParticipantResponse[];
}

export class ChatMessageResponse implements ChatMessageDto {
  @ApiProperty({ example: 981 })
  id!: number;
  @ApiProperty({ example: 3 })
  stageId!: number;
  @ApiProperty({ type: UserRefResponse })
  sender!: UserRefResponse;
  @ApiProperty({ example: 'great tune!' })
  message!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export const StagePage = PageOf(StageResponse);
export const ChatMessagePage = PageOf(ChatMessageResponse);
