export * from './events.js';
export * from './rpc.js';
