export * from './database.js';
export * from './nats-server.js';
export * from './net.js';
export * from './infra.js';
export * from './processes.js';
export * from './images.js';
export * from './postgres-cluster.js';
export * from './realtime-client.js';
