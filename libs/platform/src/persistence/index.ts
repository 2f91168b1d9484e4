export * from './migrations.js';
export * from './orm.js';
