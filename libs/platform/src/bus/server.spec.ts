import { describe, expect, it } from '@jest/globals';
import { ConnectionException, DriverException } from '@mikro-orm/core';
import { toErrorEnvelope } from './server.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('toErrorEnvelope', () => {
  it('answers 503 when the database cannot be reached or drops the connection', () => {
    const failures = [
      new DriverException(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
      new DriverException(new Error('Connection terminated unexpectedly')),
      new DriverException(withCode('terminating connection due to administrator command', '57P01')),
      new DriverException(withCode('the database system is starting up', '57P03')),
      new ConnectionException(new Error('connection failure')),
      new Error('query failed', { cause: withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED') }),
    ];
    for (const err of failures) {
      expect(toErrorEnvelope(err)).toEqual({ code: 'DATABASE_UNAVAILABLE', status: 503, message: 'database is unavailable' });
    }
  });

  it('keeps any other driver error a 500', () => {
    expect(toErrorEnvelope(new DriverException(withCode('division by zero', '22012'))).status).toBe(500);
    expect(toErrorEnvelope(new Error('boom')).status).toBe(500);
  });
});
