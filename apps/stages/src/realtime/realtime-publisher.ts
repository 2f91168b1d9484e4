import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { realtimeSubject, type StageRealtimeEvent, type StageRealtimeEvents, type StageRealtimeMessage } from '@octave/contracts';
import type { Logger } from '@octave/platform/observability';
import { NATS_CONNECTION, SERVICE_LOGGER } from '@octave/platform/service';

/**
 * Tells every gateway replica what happened on a stage, for its Socket.IO subscribers.
 * Core NATS, fire-and-forget: called after the change is committed, and a message lost
 * costs a client nothing it cannot read again over REST.
 */
@Injectable()
export class RealtimePublisher {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  publish<E extends StageRealtimeEvent>(stageId: number, event: E, payload: StageRealtimeEvents[E]): void {
    const message: StageRealtimeMessage<E> = { stageId, event, payload };
    try {
      this.nats.publish(realtimeSubject(stageId), JSON.stringify(message));
    } catch (err) {
      this.logger.warn({ err, stageId, event }, 'could not publish a realtime message');
    }
  }
}
