/**
 * RPC subjects of the social service: subject → request and response.
 * Errors travel as an `ErrorEnvelope`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SocialRpc {}
