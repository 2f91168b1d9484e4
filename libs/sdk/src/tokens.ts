/** The pair a login or a refresh answers with. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/**
 * Where the client keeps its tokens. A refresh token works once (rotation): whoever
 * refreshes must store the new pair at once, and two refreshes with the same token
 * revoke the whole login. Stores shared by several clients (browser tabs over
 * localStorage) should therefore provide `lock`, which runs a refresh alone among them.
 */
export interface TokenStore {
  get(): TokenPair | null;
  set(pair: TokenPair | null): void;
  /** Runs `fn` while no other client of the same store refreshes (e.g. navigator.locks). */
  lock?<T>(fn: () => Promise<T>): Promise<T>;
}

/** Tokens in this process only. */
export function memoryTokenStore(initial: TokenPair | null = null): TokenStore {
  let pair = initial;
  return {
    get: () => pair,
    set: (next) => {
      pair = next;
    },
  };
}
