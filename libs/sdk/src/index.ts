export * from './client.js';
export * from './errors.js';
export * from './playback-sync.js';
export * from './realtime.js';
export * from './tokens.js';
export * from './upload.js';
export type { components, paths } from './schema.js';
