import { useState, type FormEvent } from 'react';
import { Link, navigate, useQuery } from '../router.js';
import { client, useSession } from '../session.js';
import { ErrorNote, useAction } from '../ui.js';

export function AuthPage({ mode }: { mode: 'login' | 'signup' }) {
  const { setMe } = useSession();
  const query = useQuery();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const next = query.get('next');

  const submit = useAction(async () => {
    const session =
      mode === 'signup' ? await client.register({ username, email, password }) : await client.login(login, password);
    // Only paths of this app: `next` comes from the address bar.
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/stages', { replace: true });
    setMe(session.user);
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit.run();
  };
  const keepNext = next ? `?next=${encodeURIComponent(next)}` : '';

  return (
    <main className="auth" id="main">
      <h1 className="brand-big">♪ Octave</h1>
      <p className="tagline">Share songs, build playlists and listen together on live stages.</p>
      <form className="card form" onSubmit={onSubmit} aria-labelledby="auth-title">
        <h2 id="auth-title">{mode === 'signup' ? 'Create your account' : 'Log in'}</h2>
        {mode === 'signup' ? (
          <>
            <label>
              Username
              <input
                name="username"
                value={username}
                onChange={(e) => setUsername(e.target.value.toLowerCase())}
                autoComplete="username"
                required
                minLength={3}
                maxLength={32}
                pattern="[a-z0-9_.]+"
                title="3 to 32 of a–z, 0–9, _ and ."
              />
            </label>
            <label>
              Email
              <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" required />
            </label>
          </>
        ) : (
          <label>
            Username or email
            <input name="login" value={login} onChange={(e) => setLogin(e.target.value)} autoComplete="username" required />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
            required
            minLength={8}
            maxLength={128}
          />
        </label>
        <ErrorNote error={submit.error} />
        <button type="submit" className="primary" disabled={submit.busy}>
          {mode === 'signup' ? 'Sign up' : 'Log in'}
        </button>
        <p className="muted">
          {mode === 'signup' ? (
            <>
              Already have an account? <Link to={`/login${keepNext}`}>Log in</Link>
            </>
          ) : (
            <>
              New here? <Link to={`/signup${keepNext}`}>Create an account</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
