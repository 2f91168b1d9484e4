export * from './dto.js';
export * from './events.js';
export * from './rpc.js';
