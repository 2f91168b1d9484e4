import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentCorrelationId } from './context.js';
import { currentTraceId } from './tracing.js';

export type { Logger };

/**
 * One JSON logger per process. Every line carries the service name and, inside a
 * request or message, its correlation id and trace id. Lines go to stdout, or to
 * `destination` (tests read them back).
 */
export function createLogger(
  service: string,
  opts: { level?: string; pretty?: boolean; destination?: DestinationStream } = {},
): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const correlationId = currentCorrelationId();
      const traceId = currentTraceId();
      return { ...(correlationId ? { correlationId } : {}), ...(traceId ? { traceId } : {}) };
    },
    transport: opts.pretty
      ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
      : undefined,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** Lets NestJS's own messages go through the process logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, message instanceof Error ? message.message : String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
