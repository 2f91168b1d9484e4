/**
 * RPC subjects of the catalog service: subject → request and response.
 * Errors travel as an `ErrorEnvelope`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CatalogRpc {}
