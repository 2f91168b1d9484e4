import type { components } from './schema.js';

/** The body of every error the API answers: `{statusCode, error, message}`. */
export type ErrorBody = components['schemas']['ErrorBody'];

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).statusCode === 'number' &&
    (typeof (value as ErrorBody).message === 'string' || Array.isArray((value as ErrorBody).message))
  );
}

/** A call that did not succeed, with the API's error body (or one made up for a network failure). */
export class OctaveApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  /** Seconds to wait before trying again, from `Retry-After` on a 429. */
  readonly retryAfterSeconds: number | null;

  constructor(body: ErrorBody, retryAfterSeconds: number | null = null) {
    super(errorMessage(body));
    this.name = 'OctaveApiError';
    this.status = body.statusCode;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** One readable line from an error body (validation errors carry several messages). */
export function errorMessage(body: ErrorBody): string {
  return Array.isArray(body.message) ? body.message.join('; ') : body.message;
}

/** The error body of an answer that is not JSON (a proxy's page, an empty body). */
export function errorBodyFor(status: number, text: string): ErrorBody {
  return { statusCode: status, error: `HTTP ${status}`, message: text.trim().slice(0, 200) || `HTTP ${status}` };
}
