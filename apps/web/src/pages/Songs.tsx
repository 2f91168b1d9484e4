import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ok, type Genre, type Playlist, type Song, type UploadProgress } from '@octave/sdk';
import { songAudioUrl } from '../audio.js';
import { client, useMe } from '../session.js';
import { ErrorNote, formatDuration, Section, UploadBar, useAction, useLoad } from '../ui.js';

function GenrePicker({ genres, selected, onChange }: { genres: Genre[]; selected: number[]; onChange: (ids: number[]) => void }) {
  return (
    <fieldset className="chips">
      <legend>Genres</legend>
      {genres.map((g) => (
        <label key={g.id} className="chip">
          <input
            type="checkbox"
            checked={selected.includes(g.id)}
            onChange={(e) => onChange(e.target.checked ? [...selected, g.id] : selected.filter((id) => id !== g.id))}
          />
          {g.name}
        </label>
      ))}
      {genres.length === 0 && <span className="muted small">No genres yet.</span>}
    </fieldset>
  );
}

export function useGenres() {
  return useLoad(() => ok(client.api.GET('/api/genres')), []);
}

/** A list's genre filter: every genre, or none ('') for all. */
export function GenreFilter({ genres, value, onChange }: { genres: Genre[] | undefined; value: number | ''; onChange: (genreId: number | '') => void }) {
  return (
    <label>
      <span className="visually-hidden">Genre</span>
      <select value={value} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : '')}>
        <option value="">All genres</option>
        {genres?.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function UploadForm({ genres, onUploaded, onGenreAdded }: { genres: Genre[]; onUploaded: (song: Song) => void; onGenreAdded: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const [artist, setArtist] = useState('');
  const [genreIds, setGenreIds] = useState<number[]>([]);
  const [newGenre, setNewGenre] = useState('');
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const upload = useAction(async () => {
    if (!file) return;
    const form = new FormData();
    form.append('title', title.trim());
    form.append('artist', artist.trim());
    if (genreIds.length) form.append('genreIds', genreIds.join(','));
    // The file last: the server reads the fields before it streams the file.
    form.append('file', file);
    setProgress({ loaded: 0, total: file.size });
    try {
      const song = await client.uploadSong(form, { onProgress: setProgress });
      onUploaded(song);
      setFile(null);
      setTitle('');
      setArtist('');
      setGenreIds([]);
      if (fileInput.current) fileInput.current.value = '';
    } finally {
      setProgress(null);
    }
  });
  const addGenre = useAction(async () => {
    const genre = await ok(client.api.POST('/api/genres', { body: { name: newGenre.trim() } }));
    setNewGenre('');
    setGenreIds((ids) => [...ids, genre.id]);
    onGenreAdded();
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void upload.run();
  };

  return (
    <form className="form" onSubmit={onSubmit} aria-label="Upload a song">
      <label>
        Audio file
        <input
          ref={fileInput}
          type="file"
          name="file"
          accept="audio/*,.mp3,.ogg,.opus,.flac,.wav,.m4a,.aac"
          required
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            setFile(f);
            if (f && !title) setTitle(f.name.replace(/\.[^.]+$/, ''));
          }}
        />
      </label>
      <div className="two">
        <label>
          Title
          <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
        </label>
        <label>
          Artist
          <input name="artist" value={artist} onChange={(e) => setArtist(e.target.value)} required maxLength={200} />
        </label>
      </div>
      <GenrePicker genres={genres} selected={genreIds} onChange={setGenreIds} />
      <div className="row">
        <label className="grow">
          <span className="visually-hidden">New genre</span>
          <input placeholder="New genre…" value={newGenre} onChange={(e) => setNewGenre(e.target.value)} maxLength={50} />
        </label>
        <button type="button" onClick={() => void addGenre.run()} disabled={!newGenre.trim() || addGenre.busy}>
          Add genre
        </button>
      </div>
      <ErrorNote error={addGenre.error} />
      <UploadBar progress={progress} />
      <ErrorNote error={upload.error} upload="audio" />
      <button type="submit" className="primary" disabled={upload.busy || !file}>
        {upload.busy ? 'Uploading…' : 'Upload'}
      </button>
    </form>
  );
}

/** Plays one song on this device (not a stage). */
function Preview({ song, onClose }: { song: Song; onClose: () => void }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    songAudioUrl(song.id).then(
      (url) => {
        if (!live || !audio.current) return;
        audio.current.src = url;
        audio.current.play().catch(() => undefined); // the controls are there to start it by hand
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [song.id]);
  return (
    <div className="preview" role="region" aria-label="Now playing">
      <span className="grow">
        ▶ {song.title} <span className="muted">· {song.artist}</span>
      </span>
      <audio ref={audio} controls data-testid="preview-audio" />
      <button type="button" onClick={onClose} aria-label="Close the player">
        ✕
      </button>
      <ErrorNote error={error} />
    </div>
  );
}

export function AddToPlaylist({ song, playlists }: { song: Song; playlists: Playlist[] }) {
  const [done, setDone] = useState<string | null>(null);
  const add = useAction(async (playlistId: number) => {
    await ok(client.api.POST('/api/playlists/{id}/songs', { params: { path: { id: playlistId } }, body: { songId: song.id } }));
    setDone(playlists.find((p) => p.id === playlistId)?.name ?? 'playlist');
  });
  if (playlists.length === 0) return null;
  return (
    <>
      <label>
        <span className="visually-hidden">Add {song.title} to a playlist</span>
        <select
          value=""
          onChange={(e) => {
            setDone(null);
            if (e.target.value) void add.run(Number(e.target.value));
          }}
        >
          <option value="">Add to playlist…</option>
          {playlists.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      {done && (
        <span className="muted small" role="status">
          Added to {done}
        </span>
      )}
      <ErrorNote error={add.error} />
    </>
  );
}

export function SongsPage() {
  const me = useMe();
  const genres = useGenres();
  const [search, setSearch] = useState('');
  const [genreId, setGenreId] = useState<number | ''>('');
  const [mine, setMine] = useState(false);
  const [playing, setPlaying] = useState<Song | null>(null);
  const songs = useLoad(
    () =>
      ok(
        client.api.GET('/api/songs', {
          params: {
            query: {
              search: search.trim() || undefined,
              genreId: genreId === '' ? undefined : genreId,
              uploaderId: mine ? me.id : undefined,
              limit: 50,
            },
          },
        }),
      ),
    [search, genreId, mine, me.id],
  );
  const playlists = useLoad(() => ok(client.api.GET('/api/users/{id}/playlists', { params: { path: { id: me.id }, query: { limit: 100 } } })), [me.id]);
  const remove = useAction(async (id: number) => {
    await ok(client.api.DELETE('/api/songs/{id}', { params: { path: { id } } }));
    songs.reload();
  });

  return (
    <div className="stack">
      <Section title="Upload a song">
        <UploadForm genres={genres.data ?? []} onUploaded={() => songs.reload()} onGenreAdded={genres.reload} />
      </Section>
      <Section title="Songs">
        <div className="row filters">
          <label className="grow search">
            <span className="visually-hidden">Search songs</span>
            <input type="search" placeholder="Search title or artist…" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
          <GenreFilter genres={genres.data} value={genreId} onChange={setGenreId} />
          <label className="chip">
            <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> Mine
          </label>
        </div>
        <ErrorNote error={songs.error ?? remove.error} />
        <ul className="list songs">
          {songs.data?.items.map((s) => (
            <li key={s.id} className="song-row" data-testid="song-row">
              <button type="button" className="icon" onClick={() => setPlaying(s)} aria-label={`Play ${s.title}`}>
                ▶
              </button>
              <div className="grow">
                <strong>{s.title}</strong> <span className="muted">· {s.artist}</span>
                <p className="muted small">
                  {formatDuration(s.durationMs)} · {s.genres.map((g) => g.name).join(', ') || 'no genre'} · by {s.uploader.username}
                </p>
              </div>
              <AddToPlaylist song={s} playlists={playlists.data?.items ?? []} />
              {s.uploader.id === me.id && (
                <button type="button" onClick={() => void remove.run(s.id)} aria-label={`Delete ${s.title}`}>
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
        {songs.data && songs.data.items.length === 0 && <p className="muted">No songs match.</p>}
      </Section>
      {playing && <Preview key={playing.id} song={playing} onClose={() => setPlaying(null)} />}
    </div>
  );
}
