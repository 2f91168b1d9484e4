import { Controller, Inject } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { HealthReport } from '@octave/contracts';
import { RpcHandler } from '@octave/platform/bus';
import { pingDatabase } from '@octave/platform/persistence';
import { ObjectStore } from '@octave/platform/storage';

@Controller()
export class HealthRpcController {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(ObjectStore) private readonly store: ObjectStore,
  ) {}

  /** Answering at all says the bus works; the checks say whether requests can succeed. */
  @RpcHandler('identity.health.ping')
  async ping(): Promise<HealthReport> {
    const [database, objectStore] = await Promise.all([
      pingDatabase(this.orm),
      this.store.ping().then((up) => (up ? { status: 'up' as const } : { status: 'down' as const, message: 'bucket unreachable' })),
    ]);
    const checks = { database, objectStore };
    return { service: 'identity', status: Object.values(checks).every((c) => c.status === 'up') ? 'up' : 'down', checks };
  }
}
