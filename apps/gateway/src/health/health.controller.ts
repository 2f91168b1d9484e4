import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@octave/platform/auth';
import type { FastifyReply } from 'fastify';
import { HealthService, type IndicatorResult, type ReadinessReport } from './health.service.js';

class LivenessResponse {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

const indicators = {
  type: 'object' as const,
  additionalProperties: {
    type: 'object' as const,
    properties: { status: { type: 'string', enum: ['up', 'down'] }, message: { type: 'string' } },
    required: ['status'],
  },
  example: { nats: { status: 'up' }, identity: { status: 'up' } },
};

class ReadinessResponse implements ReadinessReport {
  @ApiProperty({ enum: ['ok', 'error'] })
  status!: 'ok' | 'error';
  @ApiProperty({ ...indicators, description: 'Dependencies that are up' })
  info!: Record<string, IndicatorResult>;
  @ApiProperty({ ...indicators, description: 'Dependencies that are down', example: {} })
  error!: Record<string, IndicatorResult>;
  @ApiProperty({ ...indicators, description: 'Every dependency' })
  details!: Record<string, IndicatorResult>;
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ type: LivenessResponse })
  live(): LivenessResponse {
    return { status: 'ok' };
  }

  // A status document rather than the error body, so probes and people see which
  // dependency is down.
  @Get('ready')
  @ApiOperation({ summary: 'NATS and every service answer' })
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiServiceUnavailableResponse({ type: ReadinessResponse, description: 'Some dependency is down (see `error`)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessResponse> {
    const report = await this.health.readiness();
    void reply.header('cache-control', 'no-store');
    if (report.status !== 'ok') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
