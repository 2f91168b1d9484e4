import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ClientInfo } from '@octave/contracts';
import { Public } from '@octave/platform/auth';
import { RpcClient } from '@octave/platform/bus';
import type { FastifyRequest } from 'fastify';
import { ApiErrors } from '../core/error-body.js';
import { LoginBody, RefreshTokenBody, RegisterBody, SessionResponse, TokenPairResponse } from './identity.dto.js';

/** Where a login attempt comes from: identity throttles failed logins per address. */
function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, ...(userAgent ? { userAgent: userAgent.slice(0, 512) } : {}) };
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly rpc: RpcClient) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ type: SessionResponse })
  @ApiErrors(400, 409, 429)
  register(@Body() body: RegisterBody, @Req() request: FastifyRequest): Promise<SessionResponse> {
    return this.rpc.call('identity.auth.register', {
      username: body.username,
      email: body.email,
      password: body.password,
      client: clientInfo(request),
    });
  }

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with a username or e-mail address and the password' })
  @ApiOkResponse({ type: SessionResponse })
  @ApiErrors(400, 401, 429)
  login(@Body() body: LoginBody, @Req() request: FastifyRequest): Promise<SessionResponse> {
    return this.rpc.call('identity.auth.login', { login: body.login, password: body.password, client: clientInfo(request) });
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Trade a refresh token for a new token pair (each refresh token works once)' })
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiErrors(400, 401)
  refresh(@Body() body: RefreshTokenBody): Promise<TokenPairResponse> {
    return this.rpc.call('identity.auth.refresh', { refreshToken: body.refreshToken });
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke the login the refresh token belongs to' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401)
  async logout(@Body() body: RefreshTokenBody): Promise<void> {
    await this.rpc.call('identity.auth.logout', { refreshToken: body.refreshToken });
  }
}
