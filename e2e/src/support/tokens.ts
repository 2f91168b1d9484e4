import jwt from 'jsonwebtoken';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The claims of a JWT, read without checking it. */
export function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The token with one character of its signature changed. */
export function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split('.');
  // Not the last character: its low bits may be padding, so changing it could leave the
  // decoded signature as it was.
  const i = Math.floor(signature.length / 2);
  const flipped = signature[i] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`;
}

/** The same claims, unsigned, with `alg: none`. */
export function unsignedToken(token: string): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(decodeClaims(token))}.`;
}

/** The same claims with other times, signed with HS256 and `secret`. */
export function resign(token: string, secret: string, times: { iat: number; exp: number }): string {
  return jwt.sign({ ...decodeClaims(token), ...times }, secret, { algorithm: 'HS256', noTimestamp: true });
}
