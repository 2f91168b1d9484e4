export { ExpiringCache, type ExpiringCacheOptions } from './expiring-cache.js';
