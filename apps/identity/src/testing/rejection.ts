import { expect } from '@jest/globals';
import { RpcCallError } from '@octave/platform/bus';

/** The error a call rejected with; fails the test if the call succeeded. */
export async function rejection(call: Promise<unknown>): Promise<RpcCallError> {
  const err = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RpcCallError);
  return err as RpcCallError;
}
