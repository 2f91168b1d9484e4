import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '@octave/platform/bus';
import { ApiErrors } from '../core/error-body.js';
import { ApiIdParam, IdParam } from '../core/id.pipe.js';
import { SearchUsersQuery, UserPage, UserResponse } from './identity.dto.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Users whose username starts with `search`, by username' })
  @ApiOkResponse({ type: UserPage })
  @ApiErrors(400, 401)
  search(@Query() query: SearchUsersQuery): Promise<InstanceType<typeof UserPage>> {
    return this.rpc.call('identity.user.search', {
      limit: query.limit,
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      ...(query.search ? { search: query.search } : {}),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A public profile' })
  @ApiIdParam('id', 'User id')
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(400, 401, 404)
  get(@IdParam('id') id: number): Promise<UserResponse> {
    return this.rpc.call('identity.user.get', { id });
  }
}
