import { Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { RpcClient } from '@octave/platform/bus';
import { NATS_CONNECTION, SERVICE_CONFIG } from '@octave/platform/service';
import { ChatRpcController } from './chat/chat.rpc-controller.js';
import { ChatService } from './chat/chat.service.js';
import type { StagesConfig } from './config.js';
import { StageEventsHandler } from './events/stage-events.js';
import { PlaybackRpcController } from './playback/playback.rpc-controller.js';
import { PlaybackScheduler } from './playback/playback.scheduler.js';
import { PlaybackService } from './playback/playback.service.js';
import { RealtimePublisher } from './realtime/realtime-publisher.js';
import { RemoteServices } from './remote/remote-services.js';
import { StagePresenter } from './stages/stage.presenter.js';
import { StagesRpcController } from './stages/stages.rpc-controller.js';
import { StagesService } from './stages/stages.service.js';

/**
 * The stages service's RPC handlers, its playback scheduler and its event handlers. The
 * service runtime provides the rest globally: config, logger, entity manager, NATS,
 * the object store, the event consumer, and the `stages.health.ping` handler.
 */
@Module({
  controllers: [StagesRpcController, PlaybackRpcController, ChatRpcController],
  providers: [
    // Calls to catalog, playlists, social and identity, on the runtime's connection.
    {
      provide: RpcClient,
      useFactory: (nats: NatsConnection, config: StagesConfig) => new RpcClient(nats, config.RPC_TIMEOUT_MS),
      inject: [NATS_CONNECTION, SERVICE_CONFIG],
    },
    RemoteServices,
    RealtimePublisher,
    StagePresenter,
    StagesService,
    PlaybackService,
    PlaybackScheduler,
    ChatService,
    StageEventsHandler,
  ],
})
export class StagesModule {}
