import { describe, expect, it } from '@jest/globals';
import { RpcCallError } from '../bus/index.js';
import { rejection } from './rejection.js';

describe(rejection.name, () => {
  const notFound = new RpcCallError({ code: 'USER_NOT_FOUND', status: 404, message: 'no such user' });

  it('returns the RpcCallError the call failed with', async () => {
    await expect(rejection(Promise.reject(notFound))).resolves.toBe(notFound);
  });

  it('fails with what the call returned when it succeeded', async () => {
    await expect(rejection(Promise.resolve({ id: 7 }))).rejects.toThrow('expected the call to fail, but it succeeded with {"id":7}');
  });

  it('passes on an error that did not come over the bus', async () => {
    const bug = new TypeError('x is undefined');
    await expect(rejection(Promise.reject(bug))).rejects.toBe(bug);
  });
});
