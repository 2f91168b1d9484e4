import { useState, type ChangeEvent, type DragEvent, type FormEvent } from 'react';
import { ok, type Playlist, type PlaylistEntry, type UploadProgress } from '@octave/sdk';
import { Link, navigate } from '../router.js';
import { client, useMe } from '../session.js';
import { ErrorNote, formatDuration, Section, UploadBar, useAction, useLoad } from '../ui.js';

function Cover({ playlist, size = 56 }: { playlist: Pick<Playlist, 'coverUrl' | 'name'>; size?: number }) {
  const style = { width: size, height: size };
  return playlist.coverUrl ? (
    <img className="cover" src={playlist.coverUrl} alt="" style={style} />
  ) : (
    <span className="cover cover-empty" style={style} aria-hidden="true">
      ♫
    </span>
  );
}

export function PlaylistsPage() {
  const me = useMe();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const playlists = useLoad(() => ok(client.api.GET('/api/users/{id}/playlists', { params: { path: { id: me.id }, query: { limit: 100 } } })), [me.id]);
  const create = useAction(async () => {
    const playlist = await ok(client.api.POST('/api/playlists', { body: { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) } }));
    navigate(`/playlists/${playlist.id}`);
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void create.run();
  };
  return (
    <div className="stack">
      <Section title="New playlist">
        <form className="form" onSubmit={onSubmit} aria-label="New playlist">
          <label>
            Name
            <input name="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          </label>
          <label>
            Description
            <textarea name="description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} rows={2} />
          </label>
          <ErrorNote error={create.error} />
          <button type="submit" className="primary" disabled={create.busy}>
            Create playlist
          </button>
        </form>
      </Section>
      <Section title="Your playlists">
        <ErrorNote error={playlists.error} />
        <ul className="grid">
          {playlists.data?.items.map((p) => (
            <li key={p.id} className="tile">
              <Cover playlist={p} size={72} />
              <div>
                <Link to={`/playlists/${p.id}`}>{p.name}</Link>
                <p className="muted small">
                  {p.songCount} songs · {formatDuration(p.durationMs)}
                </p>
              </div>
            </li>
          ))}
        </ul>
        {playlists.data?.items.length === 0 && <p className="muted">No playlists yet.</p>}
      </Section>
    </div>
  );
}

/** Songs to add: a search over the catalogue. */
function AddSongs({ playlist, onAdded }: { playlist: Playlist; onAdded: (p: Playlist) => void }) {
  const [search, setSearch] = useState('');
  const songs = useLoad(() => ok(client.api.GET('/api/songs', { params: { query: { search: search.trim() || undefined, limit: 10 } } })), [search]);
  const add = useAction(async (songId: number) => {
    await ok(client.api.POST('/api/playlists/{id}/songs', { params: { path: { id: playlist.id } }, body: { songId } }));
    onAdded(await ok(client.api.GET('/api/playlists/{id}', { params: { path: { id: playlist.id } } })));
  });
  return (
    <Section title="Add songs">
      <label className="search">
        <span className="visually-hidden">Search songs to add</span>
        <input type="search" placeholder="Search songs to add…" value={search} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <ErrorNote error={songs.error ?? add.error} />
      <ul className="list">
        {songs.data?.items.map((s) => (
          <li key={s.id} className="song-row">
            <span className="grow">
              <strong>{s.title}</strong> <span className="muted">· {s.artist} · {formatDuration(s.durationMs)}</span>
            </span>
            <button type="button" onClick={() => void add.run(s.id)} disabled={add.busy} aria-label={`Add ${s.title}`}>
              Add
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function moveLocally(entries: PlaylistEntry[], from: number, to: number): PlaylistEntry[] {
  const next = [...entries];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved);
  return next.map((e, i) => ({ ...e, position: i }));
}

export function PlaylistPage({ id }: { id: number }) {
  const me = useMe();
  const playlist = useLoad(() => ok(client.api.GET('/api/playlists/{id}', { params: { path: { id } } })), [id]);
  const [dragging, setDragging] = useState<number | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');

  const move = useAction(async (entryId: number, position: number) => {
    const current = playlist.data;
    if (!current?.songs) return;
    const from = current.songs.findIndex((e) => e.id === entryId);
    if (from < 0 || from === position) return;
    // Show the new order at once; the server's answer is the truth.
    playlist.set({ ...current, songs: moveLocally(current.songs, from, position) });
    try {
      playlist.set(await ok(client.api.PATCH('/api/playlists/{id}/songs/{entryId}', { params: { path: { id, entryId } }, body: { position } })));
    } catch (err) {
      playlist.reload();
      throw err;
    }
  });
  const removeEntry = useAction(async (entryId: number) => {
    await ok(client.api.DELETE('/api/playlists/{id}/songs/{entryId}', { params: { path: { id, entryId } } }));
    playlist.reload();
  });
  const cover = useAction(async (file: File) => {
    try {
      playlist.set({ ...(await client.setPlaylistCover(id, file, { onProgress: setProgress })), songs: playlist.data?.songs });
    } finally {
      setProgress(null);
    }
  });
  const save = useAction(async () => {
    const updated = await ok(client.api.PATCH('/api/playlists/{id}', { params: { path: { id } }, body: { name: name.trim(), description: description.trim() || null } }));
    playlist.set({ ...updated, songs: playlist.data?.songs });
    setEditing(false);
  });
  const remove = useAction(async () => {
    await ok(client.api.DELETE('/api/playlists/{id}', { params: { path: { id } } }));
    navigate('/playlists');
  });

  if (playlist.error) return <ErrorNote error={playlist.error} />;
  if (!playlist.data) return <p role="status">Loading…</p>;
  const p = playlist.data;
  const mine = p.owner.id === me.id;
  const entries = p.songs ?? [];

  const onDrop = (e: DragEvent, position: number) => {
    e.preventDefault();
    const entryId = Number(e.dataTransfer.getData('text/plain'));
    setDragging(null);
    if (entryId) void move.run(entryId, position);
  };
  const onCover = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) void cover.run(file);
  };

  return (
    <div className="stack">
      <section className="card">
        <div className="profile-head">
          <Cover playlist={p} size={120} />
          <div className="grow">
            {editing ? (
              <form
                className="form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void save.run();
                }}
              >
                <label>
                  Name
                  <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
                </label>
                <label>
                  Description
                  <textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} rows={2} />
                </label>
                <ErrorNote error={save.error} />
                <div className="row">
                  <button type="submit" className="primary">
                    Save
                  </button>
                  <button type="button" onClick={() => setEditing(false)}>
                    Cancel
                  </button>
                </div>
              </form>
            ) : (
              <>
                <h1>{p.name}</h1>
                {p.description && <p>{p.description}</p>}
                <p className="muted">
                  by {p.owner.username} · {p.songCount} songs · {formatDuration(p.durationMs)}
                </p>
              </>
            )}
            {mine && !editing && (
              <div className="row">
                <button
                  type="button"
                  onClick={() => {
                    setName(p.name);
                    setDescription(p.description ?? '');
                    setEditing(true);
                  }}
                >
                  Edit
                </button>
                <label className="button">
                  Set cover
                  <input type="file" accept="image/png,image/jpeg,image/webp" onChange={onCover} className="visually-hidden" />
                </label>
                <button type="button" className="danger" onClick={() => void remove.run()}>
                  Delete playlist
                </button>
              </div>
            )}
            <UploadBar progress={progress} />
            <ErrorNote error={cover.error} upload="image" />
            <ErrorNote error={remove.error} />
          </div>
        </div>
      </section>
      <Section title="Songs">
        {mine && entries.length > 1 && <p className="muted small">Drag songs to reorder them, or use the arrows.</p>}
        <ErrorNote error={move.error ?? removeEntry.error} />
        <ol className="list entries" data-testid="playlist-entries">
          {entries.map((entry, index) => (
            <li
              key={entry.id}
              className={`song-row${dragging === entry.id ? ' dragging' : ''}`}
              draggable={mine}
              data-testid="playlist-entry"
              onDragStart={(e) => {
                e.dataTransfer.setData('text/plain', String(entry.id));
                e.dataTransfer.effectAllowed = 'move';
                setDragging(entry.id);
              }}
              onDragEnd={() => setDragging(null)}
              onDragOver={(e) => mine && e.preventDefault()}
              onDrop={(e) => onDrop(e, index)}
            >
              <span className="muted position">{index + 1}</span>
              <span className="grow">
                <strong>{entry.song.title}</strong> <span className="muted">· {entry.song.artist}</span>
              </span>
              <span className="muted small">{formatDuration(entry.song.durationMs)}</span>
              {mine && (
                <>
                  <button type="button" className="icon" disabled={index === 0} onClick={() => void move.run(entry.id, index - 1)} aria-label={`Move ${entry.song.title} up`}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="icon"
                    disabled={index === entries.length - 1}
                    onClick={() => void move.run(entry.id, index + 1)}
                    aria-label={`Move ${entry.song.title} down`}
                  >
                    ↓
                  </button>
                  <button type="button" className="icon" onClick={() => void removeEntry.run(entry.id)} aria-label={`Remove ${entry.song.title}`}>
                    ✕
                  </button>
                </>
              )}
            </li>
          ))}
        </ol>
        {entries.length === 0 && <p className="muted">No songs yet.</p>}
      </Section>
      {mine && <AddSongs playlist={p} onAdded={playlist.set} />}
    </div>
  );
}
