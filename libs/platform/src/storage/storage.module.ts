import { Inject, Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type OnModuleInit } from '@nestjs/common';
import { ObjectStore, type ObjectStoreOptions } from './object-store.js';

/** How the module is registered. */
export interface StorageModuleRegistration {
  /** Make `ObjectStore` injectable everywhere without importing the module again. Default `true`. */
  global?: boolean;
}

/** `forRootAsync` options: build the store options from other providers (e.g. config). */
export interface StorageModuleAsyncOptions extends StorageModuleRegistration {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => ObjectStoreOptions | Promise<ObjectStoreOptions>;
}

/**
 * Provides `ObjectStore` (injected by its class) and makes sure its bucket exists before
 * the application starts.
 */
@Module({})
export class StorageModule implements OnModuleInit {
  constructor(@Inject(ObjectStore) private readonly store: ObjectStore) {}

  static forRoot(options: ObjectStoreOptions, registration: StorageModuleRegistration = {}): DynamicModule {
    return {
      module: StorageModule,
      global: registration.global ?? true,
      providers: [{ provide: ObjectStore, useFactory: () => new ObjectStore(options) }],
      exports: [ObjectStore],
    };
  }

  static forRootAsync(options: StorageModuleAsyncOptions): DynamicModule {
    return {
      module: StorageModule,
      global: options.global ?? true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: ObjectStore,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => new ObjectStore(await options.useFactory(...args)),
        },
      ],
      exports: [ObjectStore],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.store.ensureBucket();
  }
}
