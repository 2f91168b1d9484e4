import { Module } from '@nestjs/common';
import { FriendsController } from './friends.controller.js';
import { UserGraphController } from './user-graph.controller.js';

/** The routes of the social service (API.md, "Social graph"). */
@Module({ controllers: [FriendsController, UserGraphController] })
export class SocialHttpModule {}
