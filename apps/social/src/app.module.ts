import { Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { RpcClient } from '@octave/platform/bus';
import { NATS_CONNECTION, SERVICE_CONFIG } from '@octave/platform/service';
import { BlocksRpcController } from './blocks/blocks.rpc-controller.js';
import { BlocksService } from './blocks/blocks.service.js';
import type { SocialConfig } from './config.js';
import { FollowsRpcController } from './follows/follows.rpc-controller.js';
import { FollowsService } from './follows/follows.service.js';
import { FriendshipsRpcController } from './friendships/friendships.rpc-controller.js';
import { FriendshipsService } from './friendships/friendships.service.js';
import { UsersDirectory } from './users/users-directory.js';

/**
 * The social graph's RPC handlers. The service runtime provides the rest globally:
 * config, logger, entity manager, outbox, NATS, and the `social.health.ping` handler.
 */
@Module({
  controllers: [FriendshipsRpcController, FollowsRpcController, BlocksRpcController],
  providers: [
    // Calls to identity (profiles, whether a user exists), on the runtime's connection.
    {
      provide: RpcClient,
      useFactory: (nats: NatsConnection, config: SocialConfig) => new RpcClient(nats, config.RPC_TIMEOUT_MS),
      inject: [NATS_CONNECTION, SERVICE_CONFIG],
    },
    UsersDirectory,
    FriendshipsService,
    FollowsService,
    BlocksService,
  ],
})
export class SocialModule {}
