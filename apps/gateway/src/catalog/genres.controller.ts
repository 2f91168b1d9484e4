import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@octave/contracts';
import { CurrentActor } from '@octave/platform/auth';
import { RpcClient } from '@octave/platform/bus';
import { ApiErrors } from '../core/error-body.js';
import { CreateGenreBody, GenreResponse } from './catalog.dto.js';

@ApiTags('genres')
@ApiBearerAuth()
@Controller('genres')
export class GenresController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Every genre, sorted by name' })
  @ApiOkResponse({ type: GenreResponse, isArray: true })
  @ApiErrors(401)
  list(): Promise<GenreResponse[]> {
    return this.rpc.call('catalog.genre.list', {});
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Create a genre (names are unique case-insensitively)' })
  @ApiCreatedResponse({ type: GenreResponse })
  @ApiErrors(400, 401, 409)
  create(@CurrentActor() actor: Actor, @Body() body: CreateGenreBody): Promise<GenreResponse> {
    return this.rpc.call('catalog.genre.create', { actor, name: body.name });
  }
}
