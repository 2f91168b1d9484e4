export * from './common/index.js';
export * from './events.js';
export * from './identity/index.js';
export * from './rpc.js';
