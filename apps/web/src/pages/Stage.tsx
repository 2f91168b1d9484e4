import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import {
  ClockOffsetEstimator,
  ok,
  OctaveApiError,
  type ChatMessage,
  type Playback,
  type PlaylistEntry,
  type RealtimeSocket,
  type Song,
  type Stage,
} from '@octave/sdk';
import { useStagePlayer } from '../player.js';
import { Link, navigate } from '../router.js';
import { client, useMe } from '../session.js';
import { Avatar, ErrorNote, formatDuration, Section, useAction, useLoad } from '../ui.js';

type Participant = NonNullable<Stage['participants']>[number];
type PlaybackAction = 'play' | 'pause' | 'resume' | 'seek' | 'next' | 'previous';

const CLOCK_SAMPLES = 3;
const CLOCK_RESAMPLE_MS = 30_000;

function ackError(error: { statusCode: number; message: string | string[] }): OctaveApiError {
  return new OctaveApiError({ statusCode: error.statusCode, error: '', message: error.message });
}

function byId<T extends { id: number }>(items: T[]): T[] {
  return [...new Map(items.map((i) => [i.id, i])).values()].sort((a, b) => a.id - b.id);
}

function withParticipants(stage: Stage, participants: Participant[]): Stage {
  return { ...stage, participants, participantCount: participants.length };
}

/** The songs of the stage's playlists, in queue order. */
function useQueue(stage: Stage | null) {
  const key = stage?.playlists.map((p) => p.id).join(',') ?? '';
  return useLoad(async (): Promise<PlaylistEntry[]> => {
    if (!stage) return [];
    const lists = await Promise.all(stage.playlists.map((p) => ok(client.api.GET('/api/playlists/{id}', { params: { path: { id: p.id } } }))));
    return lists.flatMap((l) => l.songs ?? []);
  }, [key]);
}

function Chat({ stageId, socket, messages, onSent }: { stageId: number; socket: RealtimeSocket | null; messages: ChatMessage[]; onSent: (m: ChatMessage) => void }) {
  const [text, setText] = useState('');
  const list = useRef<HTMLOListElement>(null);
  const send = useAction(async () => {
    const message = text.trim();
    if (!message) return;
    if (socket?.connected) {
      const res = await socket.timeout(10_000).emitWithAck('chat:send', { stageId, message });
      if (!res.ok) throw ackError(res.error);
      onSent(res.message);
    } else {
      onSent(await ok(client.api.POST('/api/stages/{id}/chat', { params: { path: { id: stageId } }, body: { message } })));
    }
    setText('');
  });
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [messages.length]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void send.run();
  };
  return (
    <Section title="Chat">
      <ol className="chat" ref={list} aria-live="polite" data-testid="chat-messages">
        {messages.map((m) => (
          <li key={m.id} data-testid="chat-message">
            <strong>{m.sender.username}</strong> <span>{m.message}</span>{' '}
            <time className="muted small" dateTime={m.createdAt}>
              {new Date(m.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
            </time>
          </li>
        ))}
      </ol>
      {messages.length === 0 && <p className="muted">Say hello!</p>}
      <form className="row" onSubmit={onSubmit} aria-label="Send a message">
        <label className="grow">
          <span className="visually-hidden">Message</span>
          <input name="message" value={text} onChange={(e) => setText(e.target.value)} maxLength={1000} placeholder="Message…" autoComplete="off" />
        </label>
        <button type="submit" className="primary" disabled={send.busy || !text.trim()}>
          Send
        </button>
      </form>
      <ErrorNote error={send.error} />
    </Section>
  );
}

function HostControls({ stage, playback, queue, song, onPlayback }: { stage: Stage; playback: Playback | null; queue: PlaylistEntry[]; song: Song | undefined; onPlayback: (p: Playback) => void }) {
  const me = useMe();
  const [seekDraft, setSeekDraft] = useState<number | null>(null);
  const control = useAction(async (action: PlaybackAction, extra: { songId?: number; positionMs?: number } = {}) => {
    onPlayback(await ok(client.api.POST('/api/stages/{id}/playback', { params: { path: { id: stage.id } }, body: { action, ...extra } })));
  });
  const myPlaylists = useLoad(() => ok(client.api.GET('/api/users/{id}/playlists', { params: { path: { id: me.id }, query: { limit: 100 } } })), [me.id]);
  const attach = useAction(async (playlistId: number) => {
    await ok(client.api.POST('/api/stages/{id}/playlists', { params: { path: { id: stage.id } }, body: { playlistId } }));
  });
  const detach = useAction(async (playlistId: number) => {
    await ok(client.api.DELETE('/api/stages/{id}/playlists/{playlistId}', { params: { path: { id: stage.id, playlistId } } }));
  });
  const cover = useAction(async (file: File) => {
    await client.setStageCover(stage.id, file);
  });
  const end = useAction(async () => {
    await ok(client.api.DELETE('/api/stages/{id}', { params: { path: { id: stage.id } } }));
    navigate('/stages');
  });
  const commitSeek = () => {
    if (seekDraft === null) return;
    const positionMs = seekDraft;
    setSeekDraft(null);
    void control.run('seek', { positionMs });
  };
  const onCover = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) void cover.run(file);
  };
  const attached = new Set(stage.playlists.map((p) => p.id));
  const playing = playback?.songId !== null && playback?.songId !== undefined;

  return (
    <Section title="Host controls">
      <div className="row">
        <button type="button" onClick={() => void control.run('previous')} disabled={!playing} aria-label="Previous song">
          «
        </button>
        {playback?.paused || !playing ? (
          <button type="button" className="primary" onClick={() => void control.run(playing ? 'resume' : 'next')} disabled={queue.length === 0}>
            ▶ {playing ? 'Resume' : 'Start'}
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void control.run('pause')}>
            ❚❚ Pause
          </button>
        )}
        <button type="button" onClick={() => void control.run('next')} disabled={queue.length === 0} aria-label="Next song">
          »
        </button>
      </div>
      {song && playback && (
        <label className="seek">
          <span className="visually-hidden">Position in {song.title}</span>
          <input
            type="range"
            min={0}
            max={song.durationMs}
            step={1000}
            value={seekDraft ?? Math.min(playback.positionMs, song.durationMs)}
            onChange={(e) => setSeekDraft(Number(e.target.value))}
            onPointerUp={commitSeek}
            onKeyUp={commitSeek}
          />
        </label>
      )}
      <ErrorNote error={control.error} />
      <h3>Queue</h3>
      <ol className="list">
        {queue.map((entry) => (
          <li key={`${entry.id}`} className={`song-row${entry.song.id === playback?.songId ? ' current' : ''}`}>
            <span className="grow">
              {entry.song.title} <span className="muted">· {entry.song.artist} · {formatDuration(entry.song.durationMs)}</span>
            </span>
            <button type="button" onClick={() => void control.run('play', { songId: entry.song.id })} aria-label={`Play ${entry.song.title} on the stage`}>
              Play
            </button>
          </li>
        ))}
      </ol>
      {queue.length === 0 && <p className="muted">Add a playlist to have something to play.</p>}
      <div className="row">
        <label>
          <span className="visually-hidden">Add a playlist to the stage</span>
          <select value="" onChange={(e) => e.target.value && void attach.run(Number(e.target.value))}>
            <option value="">Add a playlist…</option>
            {myPlaylists.data?.items
              .filter((p) => !attached.has(p.id))
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
          </select>
        </label>
        {stage.playlists.map((p) => (
          <button key={p.id} type="button" onClick={() => void detach.run(p.id)} aria-label={`Remove the playlist ${p.name} from the stage`}>
            {p.name} ✕
          </button>
        ))}
      </div>
      <ErrorNote error={attach.error ?? detach.error} />
      <div className="row">
        <label className="button">
          Set cover
          <input type="file" accept="image/png,image/jpeg,image/webp" onChange={onCover} className="visually-hidden" />
        </label>
        <button type="button" className="danger" onClick={() => void end.run()}>
          End stage
        </button>
      </div>
      <ErrorNote error={cover.error} upload="image" />
      <ErrorNote error={end.error} />
    </Section>
  );
}

export function StagePage({ id }: { id: number }) {
  const me = useMe();
  const [stage, setStage] = useState<Stage | null>(null);
  const [playback, setPlayback] = useState<Playback | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [socket, setSocket] = useState<RealtimeSocket | null>(null);
  const [live, setLive] = useState(false);
  const [gone, setGone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const clock = useMemo(() => new ClockOffsetEstimator(), []);
  const audio = useRef<HTMLAudioElement>(null);

  const load = useCallback(async () => {
    try {
      setStage(await ok(client.api.GET('/api/stages/{id}', { params: { path: { id } } })));
    } catch (err) {
      if (err instanceof OctaveApiError && err.status === 404) setGone('This stage has ended.');
      else setError(err);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const joined = !!stage?.participants?.some((p) => p.id === me.id);
  const isHost = stage?.host.id === me.id;

  // Participants only: realtime events, the chat so far, and the clock offset.
  useEffect(() => {
    if (!joined) return;
    let active = true;
    const s = client.realtime();
    const subscribe = async () => {
      const sentAt = Date.now();
      const res = await s.timeout(10_000).emitWithAck('stage:subscribe', { stageId: id });
      const receivedAt = Date.now();
      if (!active) return;
      if (!res.ok) {
        if (res.error.statusCode === 404) setGone('This stage has ended.');
        else setError(ackError(res.error));
        return;
      }
      clock.add({ sentAt, receivedAt, serverTime: Date.parse(res.playback.serverTime) });
      setStage(res.stage);
      setPlayback(res.playback);
      setLive(true);
    };
    s.on('connect', () => void subscribe().catch((err: unknown) => active && setError(err)));
    s.on('disconnect', () => setLive(false));
    s.on('chat:message', (m) => setMessages((ms) => byId([...ms, m])));
    s.on('playback:state', ({ stageId: _stageId, ...state }) => setPlayback(state));
    s.on('participant:joined', ({ user }) =>
      setStage((st) => st && withParticipants(st, [...(st.participants ?? []).filter((p) => p.id !== user.id), user])),
    );
    s.on('participant:left', ({ user }) => {
      if (user.id === me.id) setGone('You left this stage.');
      setStage((st) => st && withParticipants(st, (st.participants ?? []).filter((p) => p.id !== user.id)));
    });
    s.on('participant:kicked', ({ userId }) => {
      if (userId === me.id) setGone('The host removed you from this stage.');
      setStage((st) => st && withParticipants(st, (st.participants ?? []).filter((p) => p.id !== userId)));
    });
    s.on('stage:updated', (updated) => setStage((st) => ({ ...updated, participants: updated.participants ?? st?.participants })));
    s.on('stage:ended', () => setGone('The host ended this stage.'));
    setSocket(s);

    ok(client.api.GET('/api/stages/{id}/chat', { params: { path: { id }, query: { limit: 50 } } })).then(
      (page) => active && setMessages((ms) => byId([...page.items, ...ms])),
      (err: unknown) => active && setError(err),
    );

    // Round trips to the server's clock: the shortest one bounds the offset best.
    const sampleClock = async () => {
      for (let i = 0; i < CLOCK_SAMPLES && active; i++) {
        const sentAt = Date.now();
        const state = await ok(client.api.GET('/api/stages/{id}/playback', { params: { path: { id } } }));
        const receivedAt = Date.now();
        if (!active) return;
        clock.add({ sentAt, receivedAt, serverTime: Date.parse(state.serverTime) });
        setPlayback(state);
      }
    };
    void sampleClock().catch(() => undefined);
    const resample = setInterval(() => void sampleClock().catch(() => undefined), CLOCK_RESAMPLE_MS);

    return () => {
      active = false;
      clearInterval(resample);
      s.disconnect();
      setSocket(null);
      setLive(false);
    };
  }, [joined, id, me.id, clock]);

  const player = useStagePlayer(audio, gone ? null : playback, clock);
  const queue = useQueue(stage);
  const songId = playback?.songId ?? null;
  const song = useLoad(async () => (songId === null ? undefined : ok(client.api.GET('/api/songs/{id}', { params: { path: { id: songId } } }))), [songId]);

  const join = useAction(async () => {
    setStage(await ok(client.api.POST('/api/stages/{id}/join', { params: { path: { id } } })));
    await load();
  });
  const leave = useAction(async () => {
    await ok(client.api.POST('/api/stages/{id}/leave', { params: { path: { id } } }));
    navigate('/stages');
  });
  const kick = useAction(async (userId: number) => {
    await ok(client.api.POST('/api/stages/{id}/kick', { params: { path: { id } }, body: { userId } }));
  });

  if (gone) {
    return (
      <section className="card">
        <h1>{stage?.name ?? 'Stage'}</h1>
        <p role="status">{gone}</p>
        <Link to="/stages">Find another stage</Link>
      </section>
    );
  }
  if (!stage) return error ? <ErrorNote error={error} /> : <p role="status">Loading…</p>;

  return (
    <div className="stage-layout">
      {/* Driven by the stage, without controls of its own, so every listener hears the same thing. */}
      <audio ref={audio} data-testid="stage-audio" preload="auto" onLoadedMetadata={player.sync} hidden />
      <div className="stack">
        <section className="card stage-head">
          {stage.coverUrl ? <img className="cover" src={stage.coverUrl} alt="" /> : <span className="cover cover-empty" aria-hidden="true">♫</span>}
          <div className="grow">
            <h1>{stage.name}</h1>
            <p className="muted">
              hosted by {stage.host.username} · <span data-testid="participant-count">{stage.participantCount}</span> listening
              {joined && (
                <span className={`badge${live ? ' live' : ''}`} role="status">
                  {live ? 'live' : 'connecting…'}
                </span>
              )}
            </p>
          </div>
          {!joined ? (
            <button type="button" className="primary" onClick={() => void join.run()} disabled={join.busy}>
              Join
            </button>
          ) : (
            !isHost && (
              <button type="button" onClick={() => void leave.run()}>
                Leave
              </button>
            )
          )}
        </section>
        <ErrorNote error={error ?? join.error ?? leave.error} />
        {joined && (
          <Section title="Now playing">
            <p className="now-playing" data-testid="now-playing">
              {song.data ? (
                <>
                  <strong>{song.data.title}</strong> · {song.data.artist}
                  {playback?.paused ? <span className="muted"> (paused)</span> : null}
                </>
              ) : (
                <span className="muted">{isHost ? 'Nothing plays yet: start the queue.' : 'Waiting for the host to play something.'}</span>
              )}
            </p>
            {player.blocked && (
              <button type="button" className="primary" onClick={player.unblock}>
                ▶ Click to listen
              </button>
            )}
            <ErrorNote error={player.error} />
          </Section>
        )}
        {joined && isHost && <HostControls stage={stage} playback={playback} queue={queue.data ?? []} song={song.data} onPlayback={setPlayback} />}
      </div>
      <div className="stack">
        {joined && <Chat stageId={id} socket={live ? socket : null} messages={messages} onSent={(m) => setMessages((ms) => byId([...ms, m]))} />}
        <Section title={`Participants (${stage.participantCount})`}>
          <ul className="list" data-testid="participants">
            {stage.participants?.map((p) => (
              <li key={p.id} className="user-row">
                <Avatar user={p} size={28} />
                <Link to={`/users/${p.id}`} className="grow">
                  {p.username}
                </Link>
                {p.id === stage.host.id && <span className="badge">host</span>}
                {isHost && p.id !== me.id && (
                  <button type="button" onClick={() => void kick.run(p.id)} aria-label={`Remove ${p.username} from the stage`}>
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ul>
          <ErrorNote error={kick.error} />
        </Section>
      </div>
    </div>
  );
}
