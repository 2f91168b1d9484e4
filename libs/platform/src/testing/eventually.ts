import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` every 50 ms until it returns a value (anything but undefined or false)
 * and returns that value; fails naming `what` it waited for once `timeoutMs` have passed.
 */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
