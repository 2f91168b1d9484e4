/**
 * Types every service and the gateway agree on, whatever the aggregate.
 */

/** The authenticated user on whose behalf a message is sent; set by the gateway from the JWT. */
export interface Actor {
  id: number;
  username: string;
}

/** The largest id (and list position): ids are PostgreSQL `integer`s, so every id is 1..INT32_MAX. */
export const INT32_MAX = 2_147_483_647;

/** Whether `value` is an id: a positive integer no larger than INT32_MAX. */
export function isId(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) <= INT32_MAX;
}

/** Paging parameters as they cross the bus (already validated by the gateway). */
export interface PageRequest {
  /** 1..100 */
  limit: number;
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor?: string;
}

/** A page of a list, the API's list shape. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The error envelope services put on the bus. `code` is stable and machine-readable
 * (`USER_NOT_FOUND`); `status` is the HTTP status the gateway answers with.
 */
export interface ErrorEnvelope {
  code: string;
  status: number;
  message: string | string[];
  /** Seconds the client should wait (429 only); becomes `Retry-After`. */
  retryAfterSeconds?: number;
}

/** Answer of every service to its `<service>.health.ping` subject. */
export interface HealthReport {
  service: string;
  status: 'up' | 'down';
  checks: Record<string, { status: 'up' | 'down'; message?: string }>;
}

/** Names of the NATS headers every bus message carries. */
export const BusHeaders = {
  correlationId: 'x-correlation-id',
  /** W3C trace context (OpenTelemetry), on RPC requests and published events. */
  traceparent: 'traceparent',
} as const;
