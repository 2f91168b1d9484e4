import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { type RpcSubject, SERVICES, type ServiceName } from '@octave/contracts';
import { RpcClient } from '@octave/platform/bus';
import { NATS_CONNECTION } from '../tokens.js';

/** One dependency's state, as in @nestjs/terminus. */
export interface IndicatorResult {
  status: 'up' | 'down';
  message?: string;
  [key: string]: unknown;
}

/** The readiness document, shaped like @nestjs/terminus's. */
export interface ReadinessReport {
  status: 'ok' | 'error';
  info: Record<string, IndicatorResult>;
  error: Record<string, IndicatorResult>;
  details: Record<string, IndicatorResult>;
}

/** The ping subjects in the contracts (all answer a HealthReport). */
type PingSubject = Extract<RpcSubject, `${string}.health.ping`>;

// Readiness probes run often and must answer before the prober gives up.
const CHECK_TIMEOUT_MS = 1000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly rpc: RpcClient,
  ) {}

  /** Ready when NATS answers and every service answers its ping, all checked at once. */
  async readiness(): Promise<ReadinessReport> {
    const names = ['nats', ...SERVICES] as const;
    const results = await Promise.all([this.checkNats(), ...SERVICES.map((s) => this.checkService(s))]);
    const report: ReadinessReport = { status: 'ok', info: {}, error: {}, details: {} };
    names.forEach((name, i) => {
      const result = results[i];
      report.details[name] = result;
      if (result.status === 'up') report.info[name] = result;
      else {
        report.error[name] = result;
        report.status = 'error';
      }
    });
    return report;
  }

  private async checkNats(): Promise<IndicatorResult> {
    if (this.nc.isClosed()) return { status: 'down', message: 'connection closed' };
    try {
      const rttMs = await withTimeout(this.nc.rtt(), CHECK_TIMEOUT_MS, 'NATS');
      return { status: 'up', rttMs };
    } catch (err) {
      return { status: 'down', message: (err as Error).message };
    }
  }

  private async checkService(service: ServiceName): Promise<IndicatorResult> {
    try {
      // Every running service answers `<service>.health.ping`; the cast covers services
      // whose contract map is still being written.
      const subject = `${service}.health.ping` as PingSubject;
      const report = await this.rpc.call(subject, {}, { timeoutMs: CHECK_TIMEOUT_MS });
      return report.status === 'up'
        ? { status: 'up', checks: report.checks }
        : { status: 'down', message: `${service} reports itself down`, checks: report.checks };
    } catch (err) {
      return { status: 'down', message: (err as Error).message };
    }
  }
}
