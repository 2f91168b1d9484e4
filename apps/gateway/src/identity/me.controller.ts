import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Put, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@octave/contracts';
import { CurrentActor } from '@octave/platform/auth';
import { RpcClient } from '@octave/platform/bus';
import { ObjectStore } from '@octave/platform/storage';
import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config.js';
import { ApiErrors } from '../core/error-body.js';
import { handOverUpload } from '../core/upload.js';
import { GATEWAY_CONFIG } from '../tokens.js';
import { DeleteMeBody, MeResponse, UpdateMeBody } from './identity.dto.js';

@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly store: ObjectStore,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'My own profile, with my e-mail address' })
  @ApiOkResponse({ type: MeResponse })
  @ApiErrors(401)
  get(@CurrentActor() actor: Actor): Promise<MeResponse> {
    return this.rpc.call('identity.me.get', { actor });
  }

  @Patch()
  @ApiOperation({ summary: 'Change my username, e-mail address or bio' })
  @ApiOkResponse({ type: MeResponse })
  @ApiErrors(400, 401, 409)
  update(@CurrentActor() actor: Actor, @Body() body: UpdateMeBody): Promise<MeResponse> {
    return this.rpc.call('identity.me.update', {
      actor,
      ...(body.username !== undefined ? { username: body.username } : {}),
      ...(body.email !== undefined ? { email: body.email } : {}),
      ...(body.bio !== undefined ? { bio: body.bio } : {}),
    });
  }

  @Put('avatar')
  @ApiOperation({ summary: 'Upload my avatar (PNG, JPEG or WebP; the content is checked, not the name)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
  })
  @ApiOkResponse({ type: MeResponse })
  @ApiErrors(400, 401, 413, 415)
  async setAvatar(@CurrentActor() actor: Actor, @Req() request: FastifyRequest): Promise<MeResponse> {
    const limits = { field: 'file', maxBytes: this.config.MAX_AVATAR_BYTES, uploaderId: actor.id };
    return handOverUpload(request, this.store, limits, (upload) =>
      this.rpc.call('identity.me.avatar.set', { actor, stagingKey: upload.key }),
    );
  }

  @Delete('avatar')
  @ApiOperation({ summary: 'Remove my avatar' })
  @ApiOkResponse({ type: MeResponse })
  @ApiErrors(401)
  removeAvatar(@CurrentActor() actor: Actor): Promise<MeResponse> {
    return this.rpc.call('identity.me.avatar.remove', { actor });
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete my account (confirmed with the password); what other services held for me goes too' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401)
  async delete(@CurrentActor() actor: Actor, @Body() body: DeleteMeBody): Promise<void> {
    await this.rpc.call('identity.me.delete', { actor, password: body.password });
  }
}
