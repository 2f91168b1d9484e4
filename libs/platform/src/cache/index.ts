export { BatchLoader } from './batch-loader.js';
export { ExpiringCache, type ExpiringCacheOptions } from './expiring-cache.js';
