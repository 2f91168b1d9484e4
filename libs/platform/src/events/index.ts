export { DEFAULT_ACK_WAIT_MS, EventConsumer, type EventConsumerOptions, type EventHandler, type EventSubscription } from './consumer.js';
export { followEvents, type FollowedEvents, type FollowEventsOptions } from './live.js';
export { Outbox, type OutboxOptions } from './outbox.js';
export { OutboxRelay, type OutboxRelayOptions } from './relay.js';
export { eventsTablesSql } from './sql.js';
export { UserDirectory, type UserDeletedHandler, type UserDirectoryConsumers, type UserDirectoryOptions } from './user-directory.js';
export { ensureEventsStream, EVENTS_DUPLICATE_WINDOW_MS, EVENTS_MAX_AGE_MS } from './stream.js';
