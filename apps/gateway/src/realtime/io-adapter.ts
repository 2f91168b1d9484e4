import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';

// The options of the socket.io copy Nest's adapter runs (it pins its own version).
type IoServerOptions = NonNullable<Parameters<IoAdapter['createIOServer']>[1]>;

/** Nest's Socket.IO adapter with the CORS policy from the environment (decorators cannot read it). */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly cors: IoServerOptions['cors'] | undefined,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: IoServerOptions): ReturnType<IoAdapter['createIOServer']> {
    return super.createIOServer(port, { ...options, ...(this.cors ? { cors: this.cors } : {}) } as IoServerOptions);
  }
}
