import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Actor } from '@octave/contracts';

/** What an access token says; `sub` is the user id (as JWT wants a string). */
export interface AccessTokenClaims {
  sub: string;
  username: string;
  /** The login (refresh-token family) the token was issued for. */
  sid: string;
}

export const JWT_ISSUER = 'octave';
export const JWT_AUDIENCE = 'octave-api';
/** Only HS256 is accepted: `alg: none` and algorithm confusion are refused. */
export const JWT_ALGORITHMS: jwt.Algorithm[] = ['HS256'];

export function signAccessToken(actor: Actor, sid: string, secret: string, ttlSeconds: number): string {
  const claims: AccessTokenClaims = { sub: String(actor.id), username: actor.username, sid };
  return jwt.sign(claims, secret, {
    algorithm: 'HS256',
    expiresIn: ttlSeconds,
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
  });
}

let lastKey: { secret: string; key: KeyObject } | undefined;

/**
 * The secret as a KeyObject, made once. Given a string, jsonwebtoken first tries to
 * parse it as a public key on every verification and only then, after that throws,
 * makes a secret key of it: a measurable part of the gateway's CPU per request.
 */
export function verificationKey(secret: string): KeyObject {
  if (lastKey?.secret !== secret) lastKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return lastKey.key;
}

/** Verifies signature, algorithm, expiry, issuer and audience; null when any fails. */
export function verifyAccessToken(token: string, secret: string): Actor | null {
  try {
    const claims = jwt.verify(token, verificationKey(secret), {
      algorithms: JWT_ALGORITHMS,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
    }) as Partial<AccessTokenClaims>;
    return claimsToActor(claims);
  } catch {
    return null;
  }
}

export function claimsToActor(claims: Partial<AccessTokenClaims>): Actor | null {
  const id = Number(claims.sub);
  if (!Number.isSafeInteger(id) || id <= 0 || typeof claims.username !== 'string') return null;
  return { id, username: claims.username };
}
