import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller.js';
import { MeController } from './me.controller.js';
import { UsersController } from './users.controller.js';

/** The routes of the identity service (API.md, "Identity"). */
@Module({ controllers: [AuthController, MeController, UsersController] })
export class IdentityHttpModule {}
