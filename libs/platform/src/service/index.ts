export * from './runtime.js';
export * from './tokens.js';
