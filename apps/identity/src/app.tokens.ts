/** Injection tokens of what `createIdentityApp` builds before the Nest module. */
export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const IDENTITY_OUTBOX = Symbol('IDENTITY_OUTBOX');
