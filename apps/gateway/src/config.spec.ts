import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@octave/platform/config';
import { loadGatewayConfig } from './config.js';

describe(loadGatewayConfig.name, () => {
  it('has a working default for everything', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      BODY_LIMIT_BYTES: 1024 * 1024,
      MAX_AVATAR_BYTES: 5 * 1024 * 1024,
      MAX_COVER_BYTES: 5 * 1024 * 1024,
      TRUST_PROXY: false,
      LOG_REQUESTS: true,
      RPC_TIMEOUT_MS: 5000,
    });
    expect(config.CORS_ORIGINS).toBeUndefined();
  });

  it('reads CORS origins as a list or a wildcard', () => {
    expect(loadGatewayConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(loadGatewayConfig({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toBe('*');
  });

  it('names every bad variable', () => {
    expect(() => loadGatewayConfig({ PORT: 'http', CORS_ORIGINS: 'https://a.example/path', LOG_REQUESTS: 'maybe' })).toThrow(ConfigError);
    try {
      loadGatewayConfig({ PORT: 'http', CORS_ORIGINS: 'https://a.example/path', LOG_REQUESTS: 'maybe' });
    } catch (err) {
      const issues = (err as ConfigError).issues.join('\n');
      expect(issues).toMatch(/^PORT:/m);
      expect(issues).toMatch(/^CORS_ORIGINS:/m);
      expect(issues).toMatch(/^LOG_REQUESTS:/m);
    }
  });
});
