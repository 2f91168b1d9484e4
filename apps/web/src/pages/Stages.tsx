import { useState, type FormEvent } from 'react';
import { ok } from '@octave/sdk';
import { navigate } from '../router.js';
import { client, useMe } from '../session.js';
import { ErrorNote, Section, useAction, useLoad } from '../ui.js';
import { GenreFilter, useGenres } from './Songs.js';

function CreateStage() {
  const me = useMe();
  const genres = useGenres();
  const playlists = useLoad(() => ok(client.api.GET('/api/users/{id}/playlists', { params: { path: { id: me.id }, query: { limit: 100 } } })), [me.id]);
  const [name, setName] = useState('');
  const [genreIds, setGenreIds] = useState<number[]>([]);
  const [playlistIds, setPlaylistIds] = useState<number[]>([]);
  const create = useAction(async () => {
    const stage = await ok(client.api.POST('/api/stages', { body: { name: name.trim(), genreIds, playlistIds } }));
    navigate(`/stages/${stage.id}`);
  });
  const toggle = (list: number[], id: number, on: boolean) => (on ? [...list, id] : list.filter((x) => x !== id));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void create.run();
  };
  return (
    <Section title="Open a stage">
      <form className="form" onSubmit={onSubmit} aria-label="Open a stage">
        <label>
          Name
          <input name="stage-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <fieldset className="chips">
          <legend>Playlists to play</legend>
          {playlists.data?.items.map((p) => (
            <label key={p.id} className="chip">
              <input type="checkbox" checked={playlistIds.includes(p.id)} onChange={(e) => setPlaylistIds(toggle(playlistIds, p.id, e.target.checked))} />
              {p.name}
            </label>
          ))}
          {playlists.data?.items.length === 0 && <span className="muted small">Make a playlist first, or add one later.</span>}
        </fieldset>
        <fieldset className="chips">
          <legend>Genres</legend>
          {genres.data?.map((g) => (
            <label key={g.id} className="chip">
              <input type="checkbox" checked={genreIds.includes(g.id)} onChange={(e) => setGenreIds(toggle(genreIds, g.id, e.target.checked))} />
              {g.name}
            </label>
          ))}
        </fieldset>
        <ErrorNote error={create.error} />
        <button type="submit" className="primary" disabled={create.busy}>
          Go live
        </button>
      </form>
    </Section>
  );
}

export function StagesPage() {
  const genres = useGenres();
  const [genreId, setGenreId] = useState<number | ''>('');
  const [friends, setFriends] = useState(false);
  const stages = useLoad(
    () => ok(client.api.GET('/api/stages', { params: { query: { genreId: genreId === '' ? undefined : genreId, friends: friends || undefined, limit: 50 } } })),
    [genreId, friends],
  );
  const join = useAction(async (id: number) => {
    await ok(client.api.POST('/api/stages/{id}/join', { params: { path: { id } } }));
    navigate(`/stages/${id}`);
  });
  return (
    <div className="stack">
      <Section
        title="Live stages"
        actions={
          <button type="button" onClick={stages.reload} aria-label="Refresh the list">
            ↻
          </button>
        }
      >
        <div className="row filters">
          <GenreFilter genres={genres.data} value={genreId} onChange={setGenreId} />
          <label className="chip">
            <input type="checkbox" checked={friends} onChange={(e) => setFriends(e.target.checked)} /> With my friends
          </label>
        </div>
        <ErrorNote error={stages.error ?? join.error} />
        <ul className="grid">
          {stages.data?.items.map((s) => (
            <li key={s.id} className="tile stage-tile" data-testid="stage-tile">
              {s.coverUrl ? <img className="cover" src={s.coverUrl} alt="" /> : <span className="cover cover-empty" aria-hidden="true">♫</span>}
              <div className="grow">
                <strong>{s.name}</strong>
                <p className="muted small">
                  hosted by {s.host.username} · {s.participantCount} listening
                  {s.nowPlaying.songId !== null && !s.nowPlaying.paused ? ' · playing' : ''}
                </p>
                <p className="muted small">{s.genres.map((g) => g.name).join(', ')}</p>
              </div>
              <button type="button" className="primary" onClick={() => void join.run(s.id)} aria-label={`Join ${s.name}`}>
                Join
              </button>
            </li>
          ))}
        </ul>
        {stages.data?.items.length === 0 && <p className="muted">No stage is live. Open one!</p>}
      </Section>
      <CreateStage />
    </div>
  );
}
