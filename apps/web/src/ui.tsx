import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { OctaveApiError, type UploadProgress } from '@octave/sdk';

export type UploadKind = 'audio' | 'image';

/**
 * What went wrong, in words a person can act on. Uploads get their own explanations:
 * the server checks the bytes, not the name, and limits the size.
 */
export function describeError(err: unknown, upload?: UploadKind): string {
  if (err instanceof OctaveApiError) {
    if (upload && err.status === 415) {
      return upload === 'audio'
        ? 'That file is not audio Octave accepts (MP3, Ogg/Opus/Vorbis, FLAC, WAV or M4A/AAC). The content is checked, not the file name.'
        : 'That file is not an image Octave accepts (PNG, JPEG or WebP). The content is checked, not the file name.';
    }
    if (upload && (err.status === 413 || err.status === 0)) {
      const limit = upload === 'audio' ? 'songs up to 50 MB by default' : 'images up to 5 MB';
      return err.status === 413
        ? `That file is too large: the server accepts ${limit}.`
        : `The upload was cut off. The file may be too large (the server accepts ${limit}), or the connection failed.`;
    }
    if (err.status === 429) {
      return `Slow down: ${err.message}${err.retryAfterSeconds ? ` Try again in ${err.retryAfterSeconds} s.` : ''}`;
    }
    if (err.status === 503 || err.status === 504) return 'Octave is not available right now. Try again in a moment.';
    return err.message;
  }
  if (err instanceof TypeError) return 'Cannot reach Octave: check your connection.';
  return err instanceof Error ? err.message : String(err);
}

export function ErrorNote({ error, upload }: { error: unknown; upload?: UploadKind }) {
  if (error === null || error === undefined) return null;
  return (
    <p className="error" role="alert">
      {describeError(error, upload)}
    </p>
  );
}

/** Runs an action, keeping its error and whether it runs; the error clears on the next run. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fnRef.current(...args);
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, setError };
}

/** Loads data when `deps` change; `reload()` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const set = useCallback((data: T) => setState({ data, loading: false }), []);
  return { ...state, reload, set };
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

export function Avatar({ user, size = 32 }: { user: { username: string; avatarUrl?: string | null }; size?: number }) {
  const style = { width: size, height: size, fontSize: size * 0.45 };
  if (user.avatarUrl) return <img className="avatar" src={user.avatarUrl} alt="" style={style} />;
  return (
    <span className="avatar avatar-initial" style={style} aria-hidden="true">
      {user.username.slice(0, 1).toUpperCase()}
    </span>
  );
}

export function UploadBar({ progress }: { progress: UploadProgress | null }) {
  if (!progress) return null;
  const pct = progress.total ? Math.round((progress.loaded / progress.total) * 100) : null;
  return (
    <div className="upload-bar">
      <progress max={100} value={pct ?? undefined} aria-label="Upload progress" />
      <span>{pct === null ? `${Math.round(progress.loaded / 1024)} KB sent` : `${pct}%`}</span>
    </div>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card">
      <header className="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
