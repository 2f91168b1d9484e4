import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createOctaveClient, ok, type Me, type TokenPair, type TokenStore } from '@octave/sdk';

const TOKENS_KEY = 'octave.tokens';
const SIGNED_OUT = 'octave:signed-out';

/**
 * Tokens in localStorage, shared by every tab of the app. A refresh token works once, so
 * tabs refresh one at a time (Web Locks) and each reads the pair again before refreshing:
 * a tab that finds the pair already rotated by another one uses it instead.
 */
const tokenStore: TokenStore = {
  get() {
    try {
      const raw = localStorage.getItem(TOKENS_KEY);
      return raw ? (JSON.parse(raw) as TokenPair) : null;
    } catch {
      return null;
    }
  },
  set(pair) {
    if (pair) localStorage.setItem(TOKENS_KEY, JSON.stringify(pair));
    else localStorage.removeItem(TOKENS_KEY);
  },
  ...(typeof navigator !== 'undefined' && navigator.locks
    ? { lock: <T,>(fn: () => Promise<T>) => navigator.locks.request('octave.refresh', fn) as Promise<T> }
    : {}),
};

/** The one client of the page: the gateway that served it is the API. */
export const client = createOctaveClient({
  baseUrl: window.location.origin,
  tokens: tokenStore,
  onSessionEnded: () => window.dispatchEvent(new Event(SIGNED_OUT)),
});

interface SessionValue {
  /** Undefined while the stored login is being checked. */
  me: Me | null | undefined;
  setMe(me: Me | null): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(() => (tokenStore.get() ? undefined : null));

  useEffect(() => {
    if (!tokenStore.get()) return;
    let live = true;
    ok(client.api.GET('/api/me')).then(
      (user) => live && setMe(user),
      () => live && setMe(null),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const ended = () => setMe(null);
    // Another tab signed in or out.
    const storage = (e: StorageEvent) => {
      if (e.key === TOKENS_KEY && !e.newValue) setMe(null);
    };
    window.addEventListener(SIGNED_OUT, ended);
    window.addEventListener('storage', storage);
    return () => {
      window.removeEventListener(SIGNED_OUT, ended);
      window.removeEventListener('storage', storage);
    };
  }, []);

  const signOut = useCallback(async () => {
    await client.logout();
    setMe(null);
  }, []);

  const value = useMemo(() => ({ me, setMe, signOut }), [me, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; only for pages shown to signed-in users. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a signed-in user');
  return me;
}
