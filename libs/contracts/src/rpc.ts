import type { CatalogRpc } from './catalog/rpc.js';
import type { IdentityRpc } from './identity/rpc.js';
import type { PlaylistsRpc } from './playlists/rpc.js';
import type { SocialRpc } from './social/rpc.js';
import type { StagesRpc } from './stages/rpc.js';

/**
 * Every RPC subject on the bus, `<service>.<aggregate>.<verb>`, mapped to its request
 * and response. Add a service by intersecting its map here.
 */
export type RpcMap = IdentityRpc & SocialRpc & CatalogRpc & PlaylistsRpc & StagesRpc;

export type RpcSubject = keyof RpcMap;
export type RpcRequest<S extends RpcSubject> = RpcMap[S]['req'];
export type RpcResponse<S extends RpcSubject> = RpcMap[S]['res'];
