import { Module } from '@nestjs/common';
import { StagesController } from './stages.controller.js';

/** The routes of the stages service (API.md, "Stages"); Socket.IO lives in `realtime/`. */
@Module({ controllers: [StagesController] })
export class StagesHttpModule {}
