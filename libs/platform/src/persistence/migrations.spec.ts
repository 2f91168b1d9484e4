import { describe, expect, it } from '@jest/globals';
import { migrationDigests } from './migrations.js';

describe('migrationDigests', () => {
  const a = { name: '0001_init.sql', sql: 'CREATE TABLE a (id int);' };
  const b = { name: '0002_more.sql', sql: 'CREATE TABLE b (id int);' };

  it('is stable for the same sources', () => {
    expect(migrationDigests([a, b])).toEqual(migrationDigests([a, b]));
  });

  it('chains: editing the first migration changes every later digest', () => {
    const edited = { ...a, sql: 'CREATE TABLE a (id bigint);' };
    const before = migrationDigests([a, b]);
    const after = migrationDigests([edited, b]);
    expect(after[0].equals(before[0])).toBe(false);
    expect(after[1].equals(before[1])).toBe(false);
  });

  it('depends on the name and the order, not only the SQL', () => {
    const renamed = { ...a, name: '0001_first.sql' };
    expect(migrationDigests([renamed])[0].equals(migrationDigests([a])[0])).toBe(false);
    expect(migrationDigests([b, a])[1].equals(migrationDigests([a, b])[1])).toBe(false);
  });

  it('gives 32-byte SHA-256 digests', () => {
    expect(migrationDigests([a])[0]).toHaveLength(32);
  });
});
