export * from './common/index.js';
export * from './events.js';
export * from './catalog/index.js';
export * from './identity/index.js';
export * from './playlists/index.js';
export * from './social/index.js';
export * from './stages/index.js';
export * from './rpc.js';
