import type { RpcResponse, RpcSubject } from '@octave/contracts';

/**
 * The return type handlers declare. `RpcHandler`'s descriptor parameter is invariant in
 * the handler type, which is `(req) => RpcResponse<S> | Promise<RpcResponse<S>>`, so an
 * `async` method typed `Promise<…>` alone does not fit it.
 */
export type RpcReply<S extends RpcSubject> = RpcResponse<S> | Promise<RpcResponse<S>>;
