-- Stages service: live rooms, their genres, playlists (the queue), participants, kicks,
-- chat and server-authoritative playback, the names of the users it shows (kept from
-- identity's events), and the transactional outbox/inbox. Runs with
-- search_path = stages, public; names are left unqualified.

-- One row per user the service has heard of: the current username (hosts, participants,
-- chat senders), or a tombstone once the account is deleted, so that a request still
-- carrying the user's last token cannot bring them back into a stage.
CREATE TABLE users (
  user_id integer PRIMARY KEY,
  username text NOT NULL,
  -- When `username` was true (the event's time); -infinity when it came from an access
  -- token, so any event wins over it and a redelivered older event never does.
  username_at timestamptz NOT NULL DEFAULT '-infinity',
  deleted_at timestamptz
);

CREATE TABLE stages (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  host_id integer NOT NULL REFERENCES users (user_id),
  cover_key text,
  -- Kept in SQL with +1/-1 in the transaction that adds or removes a participant.
  participant_count integer NOT NULL DEFAULT 0 CHECK (participant_count >= 0),
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Set once: an ended stage is gone for clients (404) but kept for its chat's sake.
  ended_at timestamptz,

  -- Playback, as a clock: the song was at `position_ms` at `anchor_at` and has moved on
  -- with real time since, unless paused. Positions are computed, never stored per tick.
  song_id integer,
  -- Of the current song, from the catalog when it started.
  duration_ms integer CHECK (duration_ms > 0),
  -- Where the song is in the queue: the `position` of its playlist in stage_playlists
  -- (kept when that playlist is detached, so the queue can go on after it) and its
  -- index within the playlist.
  queue_playlist_pos integer,
  queue_entry_index integer,
  position_ms integer NOT NULL DEFAULT 0 CHECK (position_ms >= 0),
  anchor_at timestamptz NOT NULL DEFAULT now(),
  paused boolean NOT NULL DEFAULT true,
  -- When the current song was started from its beginning.
  started_at timestamptz,
  -- When the scheduler must act: the end of the playing song, or "now" when its song
  -- or playlist went away. NULL when paused, stopped or ended.
  ends_at timestamptz,
  CHECK ((song_id IS NULL) = (duration_ms IS NULL)),
  CHECK (ends_at IS NULL OR ended_at IS NULL)
);
-- Discovery: live stages, most participants first, id as tie-breaker (the keyset).
CREATE INDEX stages_live_order_idx ON stages (participant_count DESC, id DESC) WHERE ended_at IS NULL;
CREATE INDEX stages_live_host_idx ON stages (host_id) WHERE ended_at IS NULL;
-- The scheduler's look for due stages.
CREATE INDEX stages_ends_at_idx ON stages (ends_at) WHERE ends_at IS NOT NULL;
-- song.deleted: the stages playing that song.
CREATE INDEX stages_live_song_idx ON stages (song_id) WHERE ended_at IS NULL AND song_id IS NOT NULL;

-- Genres are the catalog's and never change once made: their names are kept here.
CREATE TABLE stage_genres (
  stage_id integer NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  genre_id integer NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (stage_id, genre_id)
);
CREATE INDEX stage_genres_genre_idx ON stage_genres (genre_id, stage_id);

-- The queue: the stage's playlists in `position` order (appended at max + 1, never
-- renumbered). The name is the one at attach time, shown when playlists cannot answer.
CREATE TABLE stage_playlists (
  stage_id integer NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  playlist_id integer NOT NULL,
  position integer NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (stage_id, playlist_id),
  UNIQUE (stage_id, position)
);
-- playlist.deleted: the stages it is attached to.
CREATE INDEX stage_playlists_playlist_idx ON stage_playlists (playlist_id);

CREATE TABLE stage_participants (
  stage_id integer NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (user_id),
  joined_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (stage_id, user_id)
);
-- "Stages my friends are in", and user.deleted.
CREATE INDEX stage_participants_user_idx ON stage_participants (user_id, stage_id);

-- Users the host kicked out: they cannot join that stage again.
CREATE TABLE stage_kicks (
  stage_id integer NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  user_id integer NOT NULL,
  kicked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stage_id, user_id)
);

CREATE TABLE chat_messages (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stage_id integer NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  sender_id integer NOT NULL REFERENCES users (user_id),
  message text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 1000),
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
-- History, newest first, paged by id.
CREATE INDEX chat_messages_stage_idx ON chat_messages (stage_id, id DESC);
-- The per-user rate limit looks at a user's latest messages.
CREATE INDEX chat_messages_sender_idx ON chat_messages (sender_id, created_at DESC);

-- Outbox and inbox: the same DDL as eventsTablesSql() in libs/platform/src/events.
CREATE TABLE outbox (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  subject text NOT NULL,
  envelope jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;
CREATE TABLE inbox (
  consumer text NOT NULL,
  event_id uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
