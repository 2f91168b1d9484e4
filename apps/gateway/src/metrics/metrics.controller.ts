import { Controller, Get, Module, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@octave/platform/auth';
import { metricsRegistry } from '@octave/platform/observability';
import type { FastifyReply } from 'fastify';

/** Prometheus scrape endpoint, outside `/api` (see the global prefix's exclusions). */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const text = await metricsRegistry.metrics();
    await reply.header('content-type', metricsRegistry.contentType).send(text);
  }
}

@Module({ controllers: [MetricsController] })
export class MetricsModule {}
