import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { SERVICE_CONFIG } from '@octave/platform/service';
import type { IdentityConfig } from '../config.js';
import { RefreshToken } from './refresh-token.entity.js';

/** sha256 of the opaque token: what the table stores and looks tokens up by. */
export function refreshTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A refresh token rotated successfully: the login it belongs to and its successor. */
export interface Rotation {
  userId: number;
  familyId: string;
  refreshToken: string;
}

/**
 * Refresh tokens: 32 random bytes (base64url), one family per login. Each token works
 * once; presenting a spent or revoked one revokes the whole family, which is how a
 * stolen token that was used by the thief (or by the owner, after the thief) is caught.
 */
@Injectable()
export class RefreshTokens {
  private readonly ttlSeconds: number;

  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(SERVICE_CONFIG) config: IdentityConfig,
  ) {
    this.ttlSeconds = config.JWT_REFRESH_TTL;
  }

  /** Adds a token to `familyId` (a new login when omitted) through `em`, e.g. a transaction's. */
  async issue(em: EntityManager, userId: number, familyId: string = randomUUID()): Promise<{ familyId: string; refreshToken: string }> {
    const refreshToken = randomBytes(32).toString('base64url');
    await em.insert(RefreshToken, {
      familyId,
      userId,
      tokenHash: refreshTokenHash(refreshToken),
      expiresAt: new Date(Date.now() + this.ttlSeconds * 1000),
      createdAt: new Date(),
    });
    return { familyId, refreshToken };
  }

  /**
   * Spends `token` and issues its successor in one transaction. Of concurrent calls with
   * the same token exactly one wins: the conditional UPDATE locks the row and the others
   * find it used. Null when the token cannot be spent (see {@link whyNotSpendable}).
   */
  rotate(token: string): Promise<Rotation | null> {
    return this.em.transactional(async (tx) => {
      const [spent] = await tx.execute<{ user_id: number; family_id: string }[]>(
        `UPDATE identity.refresh_tokens SET used_at = now()
          WHERE token_hash = decode(?, 'hex') AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
          RETURNING user_id, family_id`,
        [refreshTokenHash(token).toString('hex')],
      );
      if (!spent) return null;
      const next = await this.issue(tx, spent.user_id, spent.family_id);
      return { userId: spent.user_id, familyId: spent.family_id, refreshToken: next.refreshToken };
    });
  }

  /**
   * Why a token could not be rotated: `unknown` (never issued, or its account is gone),
   * `expired`, or `reused` (already spent or revoked), in which case its whole family
   * has been revoked by this call.
   */
  async whyNotSpendable(token: string): Promise<'unknown' | 'expired' | 'reused'> {
    const [row] = await this.em.execute<{ family_id: string; spent: boolean; expired: boolean }[]>(
      `SELECT family_id, (used_at IS NOT NULL OR revoked_at IS NOT NULL) AS spent, expires_at <= now() AS expired
         FROM identity.refresh_tokens WHERE token_hash = decode(?, 'hex')`,
      [refreshTokenHash(token).toString('hex')],
    );
    if (!row) return 'unknown';
    if (row.spent) {
      await this.revokeFamily(row.family_id);
      return 'reused';
    }
    return 'expired';
  }

  /** Revokes the login `token` belongs to; an unknown token changes nothing. */
  async revokeFamilyOf(token: string): Promise<void> {
    await this.em.execute(
      `UPDATE identity.refresh_tokens SET revoked_at = now()
        WHERE revoked_at IS NULL
          AND family_id = (SELECT family_id FROM identity.refresh_tokens WHERE token_hash = decode(?, 'hex'))`,
      [refreshTokenHash(token).toString('hex')],
      'run',
    );
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.em.execute(
      `UPDATE identity.refresh_tokens SET revoked_at = now() WHERE family_id = ? AND revoked_at IS NULL`,
      [familyId],
      'run',
    );
  }

  /** Expired tokens are useless; each login drops its account's. */
  async deleteExpired(em: EntityManager, userId: number): Promise<void> {
    await em.execute(`DELETE FROM identity.refresh_tokens WHERE user_id = ? AND expires_at <= now()`, [userId], 'run');
  }
}
