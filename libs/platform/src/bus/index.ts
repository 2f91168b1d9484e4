export * from './connect.js';
export * from './errors.js';
export * from './rpc-client.js';
export * from './server.js';
export * from './service.js';
export * from './validation.js';
