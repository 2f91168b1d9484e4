import { RpcCallError } from '../bus/errors.js';

/**
 * The error an RPC call rejected with. Fails the test when the call succeeded (showing
 * what it returned) or failed with anything but an `RpcCallError` (that error, as is).
 */
export async function rejection(call: Promise<unknown>): Promise<RpcCallError> {
  let value: unknown;
  try {
    value = await call;
  } catch (err) {
    if (err instanceof RpcCallError) return err;
    throw err;
  }
  throw new Error(`expected the call to fail, but it succeeded with ${JSON.stringify(value)}`);
}
