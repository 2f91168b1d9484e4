import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type as Transform } from 'class-transformer';
import { IsOptional, IsString, Length } from 'class-validator';
import type { GenreDto, SongDto, UserRefDto } from '@octave/contracts';
import { PageOf, PageQuery } from '../core/paging.js';
import { IsId, OptionalIdList, unlessAbsent } from '../core/validation.js';
import { ARTIST_MAX, GENRES_PER_SONG_MAX, TITLE_MAX } from './song-upload-fields.js';

// ---- requests ----

export class CreateGenreBody {
  @ApiProperty({ minLength: 1, maxLength: 50, example: 'Jazz', description: 'Trimmed; unique case-insensitively' })
  @IsString()
  @Length(1, 50)
  name!: string;
}

export class SearchSongsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the title or the artist', minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  search?: string;

  @ApiPropertyOptional({ description: 'Only songs tagged with this genre', minimum: 1 })
  @IsOptional()
  @Transform(() => Number)
  @IsId()
  genreId?: number;

  @ApiPropertyOptional({ description: 'Only songs uploaded by this user', minimum: 1 })
  @IsOptional()
  @Transform(() => Number)
  @IsId()
  uploaderId?: number;
}

export class UpdateSongBody {
  @ApiPropertyOptional({ minLength: 1, maxLength: TITLE_MAX, description: 'Trimmed' })
  @unlessAbsent
  @IsString()
  @Length(1, TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: ARTIST_MAX, description: 'Trimmed' })
  @unlessAbsent
  @IsString()
  @Length(1, ARTIST_MAX)
  artist?: string;

  @OptionalIdList(GENRES_PER_SONG_MAX, 'Replaces the song’s genres; [] removes them all')
  genreIds?: number[];
}

/** The multipart form of `POST /api/songs`, for the OpenAPI document (parsed by hand, streamed). */
export const SONG_UPLOAD_SCHEMA = {
  type: 'object',
  required: ['file', 'title', 'artist'],
  properties: {
    file: {
      type: 'string',
      format: 'binary',
      description: 'MP3, Ogg (Vorbis or Opus), FLAC, WAV, M4A or AAC; the content is checked, not the name or type',
    },
    title: { type: 'string', minLength: 1, maxLength: TITLE_MAX },
    artist: { type: 'string', minLength: 1, maxLength: ARTIST_MAX },
    genreIds: {
      type: 'array',
      items: { type: 'integer', minimum: 1 },
      maxItems: GENRES_PER_SONG_MAX,
      description: 'Genre ids, comma-separated in one field or the field repeated',
    },
  },
} as const;

// ---- responses ----

export class GenreResponse implements GenreDto {
  @ApiProperty({ example: 3 })
  id!: number;
  @ApiProperty({ example: 'Jazz' })
  name!: string;
}

export class UserRefResponse implements UserRefDto {
  @ApiProperty({ example: 12 })
  id!: number;
  @ApiProperty({ example: 'ada.l' })
  username!: string;
}

export class SongResponse implements SongDto {
  @ApiProperty({ example: 42 })
  id!: number;
  @ApiProperty({ example: 'Blue in Green' })
  title!: string;
  @ApiProperty({ example: 'Miles Davis' })
  artist!: string;
  @ApiProperty({ example: 337000, description: 'Read from the audio at upload' })
  durationMs!: number;
  @ApiProperty({ example: 'audio/mpeg', description: 'Sniffed from the content; the type the stream is served with' })
  mimeType!: string;
  @ApiProperty({ example: 5392384 })
  sizeBytes!: number;
  @ApiProperty({ type: GenreResponse, isArray: true, description: 'Sorted by name' })
  genres!: GenreResponse[];
  @ApiProperty({ type: UserRefResponse })
  uploader!: UserRefResponse;
  @ApiProperty({
    example: '/api/songs/42/stream',
    description: 'Root-relative URL of the audio on this gateway (GET with the bearer token; honours Range)',
  })
  streamUrl!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export const SongPage = PageOf(SongResponse);
