import type { ErrorEnvelope } from '@octave/contracts';

/**
 * A failure the caller can act on, raised by a service with a stable code and the HTTP
 * status the gateway answers with. It crosses the bus as an `ErrorEnvelope`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string | string[],
    readonly retryAfterSeconds?: number,
  ) {
    super(Array.isArray(message) ? message.join('; ') : message);
    this.name = 'DomainError';
    this.details = message;
  }

  /** The message as given (validation errors keep their list). */
  readonly details: string | string[];

  toEnvelope(): ErrorEnvelope {
    return {
      code: this.code,
      status: this.status,
      message: this.details,
      ...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
    };
  }

  static badRequest(code: string, message: string | string[]) {
    return new DomainError(code, 400, message);
  }
  static unauthorized(code: string, message: string) {
    return new DomainError(code, 401, message);
  }
  static forbidden(code: string, message: string) {
    return new DomainError(code, 403, message);
  }
  static notFound(code: string, message: string) {
    return new DomainError(code, 404, message);
  }
  static conflict(code: string, message: string) {
    return new DomainError(code, 409, message);
  }
  static unsupportedMediaType(code: string, message: string) {
    return new DomainError(code, 415, message);
  }
  static tooManyRequests(code: string, message: string, retryAfterSeconds: number) {
    return new DomainError(code, 429, message, retryAfterSeconds);
  }
}

/** Codes the bus itself produces, whatever the service. */
export const BusErrorCode = {
  Timeout: 'BUS_TIMEOUT',
  NoResponders: 'SERVICE_UNAVAILABLE',
  Unavailable: 'BUS_UNAVAILABLE',
  Internal: 'INTERNAL_ERROR',
} as const;

/** The error an RPC call rejects with: always carries a status and a code. */
export class RpcCallError extends DomainError {
  constructor(envelope: ErrorEnvelope) {
    super(envelope.code, envelope.status, envelope.message, envelope.retryAfterSeconds);
    this.name = 'RpcCallError';
  }
}

export function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.status === 'number' && v.status >= 400 && v.status < 600;
}
