/** Injection tokens of what `startService` opens before the service's Nest module. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** The service's `Outbox` (typed by service: inject as `Outbox<'identity'>`). */
export const OUTBOX = Symbol('OUTBOX');
