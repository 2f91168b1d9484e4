import createClient, { type Client } from 'openapi-fetch';
import { errorBodyFor, isErrorBody, OctaveApiError, type ErrorBody } from './errors.js';
import { connectRealtime, type RealtimeOptions, type RealtimeSocket } from './realtime.js';
import type { components, paths } from './schema.js';
import { memoryTokenStore, type TokenPair, type TokenStore } from './tokens.js';
import { sendForm, type UploadProgress } from './upload.js';

export type Schemas = components['schemas'];
export type Me = Schemas['MeResponse'];
export type User = Schemas['UserResponse'];
export type UserRef = Schemas['UserRefResponse'];
export type Session = Schemas['SessionResponse'];
export type Song = Schemas['SongResponse'];
export type Genre = Schemas['GenreResponse'];
export type Playlist = Schemas['PlaylistResponse'];
export type PlaylistEntry = Schemas['PlaylistEntryResponse'];
export type Stage = Schemas['StageResponse'];
export type Playback = Schemas['PlaybackResponse'];
export type ChatMessage = Schemas['ChatMessageResponse'];
export type FriendRequest = Schemas['FriendRequestResponse'];
export type Participant = Schemas['ParticipantResponse'];

/** The typed REST client: `api.GET('/api/songs/{id}', { params: { path: { id } } })`. */
export type OctaveApi = Client<paths>;

export interface OctaveClientOptions {
  /** The gateway's origin, e.g. `http://127.0.0.1:3000` (`location.origin` in a page it serves). */
  baseUrl: string;
  /** Where the tokens live; in memory by default. */
  tokens?: TokenStore;
  /** Defaults to the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Called when the login is over: the refresh token was refused (expired, revoked, reused). */
  onSessionEnded?: () => void;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

export interface OctaveClient {
  readonly baseUrl: string;
  /** Every route of the API, typed from the gateway's OpenAPI document, with tokens handled. */
  readonly api: OctaveApi;
  readonly tokens: TokenStore;
  register(body: Schemas['RegisterBody']): Promise<Session>;
  login(login: string, password: string): Promise<Session>;
  /** Revokes this login on the server (best effort) and forgets the tokens. */
  logout(): Promise<void>;
  /**
   * A new access token from the refresh token (rotation: the new pair is stored). Calls
   * at the same time share one refresh. `failedToken` is the access token that was
   * refused: when the store already holds another one (refreshed meanwhile, perhaps by
   * another tab), that one is returned without a new refresh. Null when the login is over.
   */
  refresh(failedToken?: string): Promise<string | null>;
  uploadSong(form: FormData, opts?: UploadOptions): Promise<Song>;
  setAvatar(file: Blob, opts?: UploadOptions): Promise<Me>;
  setPlaylistCover(playlistId: number, file: Blob, opts?: UploadOptions): Promise<Playlist>;
  setStageCover(stageId: number, file: Blob, opts?: UploadOptions): Promise<Stage>;
  /**
   * A Socket.IO connection to the stages' realtime events, authenticated with the
   * current access token. When the server refuses or ends it because the token expired,
   * it refreshes the token and connects again; subscribe again on each `connect`.
   */
  realtime(opts?: RealtimeOptions): RealtimeSocket;
}

const AUTH_ROUTES = /\/api\/auth\/(register|login|refresh|logout)$/;

/**
 * The data of an openapi-fetch answer, or an OctaveApiError with the API's error body.
 * `await ok(client.api.GET('/api/me'))`.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw apiError(response, error);
}

function apiError(response: Response, body: unknown): OctaveApiError {
  const retryAfter = Number(response.headers.get('retry-after'));
  const errorBody: ErrorBody = isErrorBody(body) ? body : errorBodyFor(response.status, typeof body === 'string' ? body : '');
  return new OctaveApiError(errorBody, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

export function createOctaveClient(options: OctaveClientOptions): OctaveClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const store = options.tokens ?? memoryTokenStore();
  const rawFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  let refreshing: Promise<string | null> | null = null;

  const doRefresh = async (failedToken: string | undefined): Promise<string | null> => {
    const current = store.get();
    if (!current) return null;
    if (failedToken !== undefined && current.accessToken !== failedToken) return current.accessToken;
    const res = await rawFetch(
      new Request(`${baseUrl}/api/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      }),
    );
    if (res.ok) {
      const pair = (await res.json()) as TokenPair;
      store.set({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
      return pair.accessToken;
    }
    const text = await res.text();
    if (res.status === 400 || res.status === 401) {
      // The refresh token is spent, expired or revoked: only a new login helps.
      store.set(null);
      options.onSessionEnded?.();
      return null;
    }
    // 429, 503…: the login may still be good; keep the tokens and let the caller fail.
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    throw apiError(res, body);
  };

  const refresh = (failedToken?: string): Promise<string | null> => {
    refreshing ??= (async () => {
      try {
        const run = () => doRefresh(failedToken);
        return await (store.lock ? store.lock(run) : run());
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  /** Sends with the current access token; on a 401, refreshes once and sends again. */
  const authorizedFetch = async (request: Request): Promise<Response> => {
    if (AUTH_ROUTES.test(new URL(request.url).pathname)) return rawFetch(request);
    const retry = request.clone();
    const used = store.get()?.accessToken;
    if (used) request.headers.set('authorization', `Bearer ${used}`);
    const first = await rawFetch(request);
    if (first.status !== 401 || !store.get()) return first;
    const fresh = await refresh(used);
    if (!fresh) return first;
    // The first answer is dropped; free its connection.
    await first.body?.cancel();
    retry.headers.set('authorization', `Bearer ${fresh}`);
    return rawFetch(retry);
  };

  const api = createClient<paths>({ baseUrl, fetch: authorizedFetch });

  const upload = async <T>(method: 'POST' | 'PUT', path: string, form: FormData, opts: UploadOptions = {}): Promise<T> => {
    const send = (token: string | undefined) =>
      sendForm({ method, url: `${baseUrl}${path}`, form, token, onProgress: opts.onProgress, signal: opts.signal, fetch: rawFetch });
    const used = store.get()?.accessToken;
    let res = await send(used);
    if (res.status === 401 && store.get()) {
      const fresh = await refresh(used);
      if (fresh) res = await send(fresh);
    }
    if (res.status >= 200 && res.status < 300) return res.body as T;
    if (res.status === 0) {
      throw new OctaveApiError({
        statusCode: 0,
        error: 'Network Error',
        message: 'the upload got no answer: the connection failed, or the server closed it early (as it may for a file that is too large)',
      });
    }
    const retryAfter = Number(res.retryAfter);
    throw new OctaveApiError(
      isErrorBody(res.body) ? res.body : errorBodyFor(res.status, typeof res.body === 'string' ? res.body : ''),
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    );
  };

  const fileForm = (file: Blob) => {
    const form = new FormData();
    form.append('file', file);
    return form;
  };

  const startSession = (session: Session) => {
    store.set({ accessToken: session.accessToken, refreshToken: session.refreshToken });
    return session;
  };

  return {
    baseUrl,
    api,
    tokens: store,
    register: async (body) => startSession(await ok(api.POST('/api/auth/register', { body }))),
    login: async (login, password) => startSession(await ok(api.POST('/api/auth/login', { body: { login, password } }))),
    logout: async () => {
      const pair = store.get();
      store.set(null);
      if (pair) await api.POST('/api/auth/logout', { body: { refreshToken: pair.refreshToken } }).catch(() => undefined);
    },
    refresh,
    uploadSong: (form, opts) => upload<Song>('POST', '/api/songs', form, opts),
    setAvatar: (file, opts) => upload<Me>('PUT', '/api/me/avatar', fileForm(file), opts),
    setPlaylistCover: (id, file, opts) => upload<Playlist>('PUT', `/api/playlists/${id}/cover`, fileForm(file), opts),
    setStageCover: (id, file, opts) => upload<Stage>('PUT', `/api/stages/${id}/cover`, fileForm(file), opts),
    realtime: (opts) => {
      let connectedWith: string | undefined;
      const socket = connectRealtime(
        baseUrl,
        () => {
          connectedWith = store.get()?.accessToken;
          return connectedWith;
        },
        opts,
      );
      // Socket.IO does not retry a connection the server refused or ended: refresh and
      // retry once per token, so a refused fresh token cannot loop.
      let retriedFor: string | undefined;
      const reconnect = async () => {
        if (connectedWith === undefined || retriedFor === connectedWith) return;
        retriedFor = connectedWith;
        const fresh = await refresh(connectedWith).catch(() => null);
        if (fresh && !socket.connected) socket.connect();
      };
      socket.on('disconnect', (reason) => {
        if (reason === 'io server disconnect') void reconnect();
      });
      socket.on('connect_error', () => {
        if (!socket.active) void reconnect();
      });
      return socket;
    },
  };
}
