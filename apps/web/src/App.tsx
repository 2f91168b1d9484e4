import { useEffect } from 'react';
import { AuthPage } from './pages/Auth.js';
import { PeoplePage, UserPage } from './pages/People.js';
import { PlaylistPage, PlaylistsPage } from './pages/Playlists.js';
import { ProfilePage } from './pages/Profile.js';
import { SongsPage } from './pages/Songs.js';
import { StagePage } from './pages/Stage.js';
import { StagesPage } from './pages/Stages.js';
import { Link, matchPath, navigate, usePath } from './router.js';
import { useSession } from './session.js';
import { Avatar } from './ui.js';

const NAV = [
  { to: '/stages', label: 'Stages' },
  { to: '/songs', label: 'Songs' },
  { to: '/playlists', label: 'Playlists' },
  { to: '/people', label: 'People' },
];

function Page({ path }: { path: string }) {
  let params: Record<string, string> | null;
  if ((params = matchPath('/stages/:id', path))) return <StagePage key={params.id} id={Number(params.id)} />;
  if ((params = matchPath('/playlists/:id', path))) return <PlaylistPage key={params.id} id={Number(params.id)} />;
  if ((params = matchPath('/users/:id', path))) return <UserPage key={params.id} id={Number(params.id)} />;
  switch (path) {
    case '/':
    case '/stages':
      return <StagesPage />;
    case '/songs':
      return <SongsPage />;
    case '/playlists':
      return <PlaylistsPage />;
    case '/people':
      return <PeoplePage />;
    case '/me':
      return <ProfilePage />;
    default:
      return (
        <section className="card">
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{path}</code>. <Link to="/stages">Go to the stages</Link>.
          </p>
        </section>
      );
  }
}

export function App() {
  const { me } = useSession();
  const path = usePath();
  const authPath = path === '/login' || path === '/signup';

  useEffect(() => {
    if (me === null && !authPath) navigate(`/login?next=${encodeURIComponent(path)}`, { replace: true });
    if (me && authPath) navigate('/stages', { replace: true });
  }, [me, authPath, path]);

  useEffect(() => {
    const title = NAV.find((n) => path.startsWith(n.to))?.label;
    document.title = title ? `${title} · Octave` : 'Octave';
  }, [path]);

  if (me === undefined) {
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  }
  if (!me) return <AuthPage mode={path === '/signup' ? 'signup' : 'login'} />;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/stages" className="brand">
          ♪ Octave
        </Link>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} aria-current={path.startsWith(n.to) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <Link to="/me" className="me-link" aria-current={path === '/me' ? 'page' : undefined} data-testid="me-link">
          <Avatar user={me} size={28} />
          <span>{me.username}</span>
        </Link>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} />
      </main>
    </>
  );
}
