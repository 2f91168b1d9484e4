import { describe, expect, it } from '@jest/globals';
import { baseConfigShape, ConfigError, envDuration, jwtConfigShape, loadConfig, z } from './index.js';

describe(loadConfig.name, () => {
  const shape = { ...baseConfigShape, ...jwtConfigShape, PORT: z.coerce.number().int().min(1).max(65535).default(3000) };

  it('gives working local defaults for an empty environment', () => {
    const config = loadConfig(shape, {});
    expect(config).toMatchObject({ NODE_ENV: 'development', NATS_URL: 'nats://127.0.0.1:4222', PORT: 3000, JWT_ACCESS_TTL: 900 });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(shape, { PORT: '' }).PORT).toBe(3000);
  });

  it('fails fast naming every bad variable', () => {
    let error: unknown;
    try {
      loadConfig(shape, { PORT: 'eighty', NATS_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/PORT/);
    expect((error as Error).message).toMatch(/NATS_URL/);
  });

  it('refuses the development JWT secret in production', () => {
    expect(() => loadConfig(shape, { NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(loadConfig(shape, { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).JWT_SECRET).toHaveLength(40);
  });
});

describe('envDuration', () => {
  it.each([
    ['900', 900],
    ['15m', 900],
    ['2h', 7200],
    ['30d', 2_592_000],
  ])('reads %s as %d seconds', (input, seconds) => {
    expect(envDuration.parse(input)).toBe(seconds);
  });

  it('rejects other forms', () => {
    expect(envDuration.safeParse('15 minutes').success).toBe(false);
  });
});
