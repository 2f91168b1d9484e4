import type { CatalogEvents } from './catalog/events.js';
import type { IdentityEvents } from './identity/events.js';
import type { PlaylistsEvents } from './playlists/events.js';
import type { SocialEvents } from './social/events.js';
import type { StagesEvents } from './stages/events.js';

/** Every service that owns aggregates and publishes events; also the NATS queue groups. */
export type ServiceName = 'identity' | 'social' | 'catalog' | 'playlists' | 'stages';

/** The services that run today: the gateway is ready only when each answers its ping. */
export const SERVICES: readonly ServiceName[] = ['identity', 'social', 'catalog', 'playlists', 'stages'];

/** Every domain event type, per publishing service, mapped to its payload (`data`). */
export interface EventCatalog {
  identity: IdentityEvents;
  social: SocialEvents;
  catalog: CatalogEvents;
  playlists: PlaylistsEvents;
  stages: StagesEvents;
}

export type EventType<S extends ServiceName = ServiceName> = keyof EventCatalog[S] & string;
export type EventData<S extends ServiceName, T extends EventType<S>> = EventCatalog[S][T];

/**
 * The envelope of every domain event on JetStream. `id` is also the JetStream message
 * id, so a republished event is dropped by the stream's duplicate window.
 */
export interface EventEnvelope<D = unknown> {
  id: string;
  /** `<aggregate>.<past-tense>`, e.g. `user.deleted` */
  type: string;
  /** ISO-8601, UTC */
  occurredAt: string;
  /** Payload schema version, bumped on breaking changes. */
  version: number;
  data: D;
  /** The request that caused the event, for tracing across services. */
  correlationId?: string;
  /**
   * W3C trace context (`00-<trace id>-<span id>-<flags>`) of the span that recorded the
   * event: consumers' spans are its children. Also sent as the `traceparent` header.
   */
  traceparent?: string;
}

/** Subject an event of `service` is published on: `identity.events.user.deleted`. */
export function eventSubject(service: ServiceName, type: string): string {
  return `${service}.events.${type}`;
}

/** The JetStream stream that stores every domain event. */
export const EVENTS_STREAM = 'OCTAVE_EVENTS';
/** Subjects the stream captures: every service's events, present and future. */
export const EVENTS_STREAM_SUBJECTS = ['*.events.>'];
