import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { SERVICE_CONFIG } from '@octave/platform/service';
import type { IdentityConfig } from '../config.js';
import { loginThrottled } from './auth.errors.js';

/** The throttling keys of one login attempt: the account tried, and where from. */
export interface ThrottleKeys {
  account: string;
  client: string;
}

export function throttleKeys(login: string, ip: string): ThrottleKeys {
  return { account: `account:${login.toLowerCase()}`, client: `ip:${ip}` };
}

/**
 * Counts failed logins per key in fixed windows of LOGIN_WINDOW_SECONDS in the
 * database, so every replica sees the same counts. A key with LOGIN_MAX_FAILURES
 * failures in its current window is refused until the window ends.
 */
@Injectable()
export class LoginThrottle {
  private readonly max: number;
  private readonly windowSeconds: number;

  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(SERVICE_CONFIG) config: IdentityConfig,
  ) {
    this.max = config.LOGIN_MAX_FAILURES;
    this.windowSeconds = config.LOGIN_WINDOW_SECONDS;
  }

  /** Throws 429 with the seconds until the latest of the blocking windows ends. */
  async assertAllowed(keys: ThrottleKeys): Promise<void> {
    const rows = await this.em.execute<{ retry_after: number }[]>(
      `SELECT ceil(extract(epoch FROM window_start + ? * interval '1 second' - now()))::int AS retry_after
         FROM identity.login_failures
        WHERE key IN (?, ?) AND failures >= ? AND window_start > now() - ? * interval '1 second'`,
      [this.windowSeconds, keys.account, keys.client, this.max, this.windowSeconds],
    );
    if (rows.length > 0) {
      throw loginThrottled(Math.max(1, ...rows.map((r) => r.retry_after)));
    }
  }

  async recordFailure(keys: ThrottleKeys): Promise<void> {
    // Counted in SQL, so concurrent failures all count; a lapsed window starts over.
    await this.em.execute(
      `INSERT INTO identity.login_failures AS f (key, window_start, failures)
       VALUES (?, now(), 1), (?, now(), 1)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN f.window_start > now() - ? * interval '1 second' THEN f.failures + 1 ELSE 1 END,
         window_start = CASE WHEN f.window_start > now() - ? * interval '1 second' THEN f.window_start ELSE now() END`,
      [keys.account, keys.client, this.windowSeconds, this.windowSeconds],
      'run',
    );
    // Lapsed windows count for nothing; without this the table keeps every key ever tried.
    await this.em.execute(
      `DELETE FROM identity.login_failures WHERE window_start <= now() - ? * interval '1 second'`,
      [this.windowSeconds],
      'run',
    );
  }

  /** A successful login forgives the account's failures (not the address's). */
  async clearAccount(keys: ThrottleKeys): Promise<void> {
    await this.em.execute(`DELETE FROM identity.login_failures WHERE key = ?`, [keys.account], 'run');
  }
}
