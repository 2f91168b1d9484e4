import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line and bus message of one unit of work carries. */
export interface WorkContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<WorkContext>();

/** Runs `fn` with the given correlation id (or a new one) as the current context. */
export function runWithCorrelation<T>(correlationId: string | undefined, fn: () => T): T {
  return storage.run({ correlationId: correlationId || randomUUID() }, fn);
}

/** The correlation id of the current request or message, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
