export * from './passport.js';
export * from './tokens.js';
