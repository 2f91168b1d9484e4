-- Playlists service: playlists and their ordered entries, the owners' names (kept from
-- identity's events), the songs entries refer to (kept from the catalog), and the
-- transactional outbox/inbox. Runs with search_path = playlists, public; names are
-- left unqualified.

-- One row per user the service has heard of: the current username (shown as a
-- playlist's owner), or a tombstone once the account is deleted, so that a late
-- request with a still-valid token cannot create a playlist for it.
CREATE TABLE users (
  id integer PRIMARY KEY CHECK (id > 0),
  -- Empty for a tombstone of a user the service never knew by name.
  username text NOT NULL,
  -- When `username` was true (the event's time); -infinity when it came from an access
  -- token, so any event wins over it and a redelivered older event never does.
  username_at timestamptz NOT NULL DEFAULT '-infinity',
  deleted_at timestamptz
);

-- Every song an entry refers to, with its duration as the catalog reported it when the
-- song was first added (a song's audio, hence its duration, never changes), or a
-- tombstone once the catalog announced its deletion, so a late add cannot bring it back.
CREATE TABLE songs (
  id integer PRIMARY KEY CHECK (id > 0),
  -- Null for a tombstone of a song no playlist ever held.
  duration_ms integer CHECK (duration_ms >= 0),
  deleted_at timestamptz
);

CREATE TABLE playlists (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id integer NOT NULL REFERENCES users (id),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  description text CHECK (char_length(description) <= 1000),
  cover_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- A user's playlists, newest first: the listing's order and its keyset.
CREATE INDEX playlists_owner_idx ON playlists (owner_id, id DESC);

-- The entries of a playlist. Positions are 0..n-1 without gaps: every change locks the
-- playlist's row first, then shifts the positions it must. The uniqueness is checked
-- at commit, so a shift may pass through duplicates on its way.
CREATE TABLE playlist_songs (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  playlist_id integer NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
  song_id integer NOT NULL REFERENCES songs (id),
  position integer NOT NULL CHECK (position >= 0),
  CONSTRAINT playlist_songs_position_key UNIQUE (playlist_id, position) DEFERRABLE INITIALLY DEFERRED
);
-- A deleted song leaves every playlist that holds it.
CREATE INDEX playlist_songs_song_idx ON playlist_songs (song_id);

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
