-- Catalog service: genres, songs and their audio objects, the uploaders' names (kept
-- from identity's events), and the transactional outbox/inbox. Runs with
-- search_path = catalog, public; names are left unqualified.

-- Trigram indexes make substring search (ILIKE '%…%') on titles and artists use an
-- index. The extension lives in public, shared by every schema of the database.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE genres (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50)
);
-- Case-insensitive uniqueness; also serves the listing's ORDER BY lower(name).
CREATE UNIQUE INDEX genres_name_lower_key ON genres (lower(name));

-- One row per user the catalog has heard of: the current username (shown as a song's
-- uploader), or a tombstone once the account is deleted, so that a late upload with a
-- still-valid token cannot bring the user's songs back.
CREATE TABLE uploaders (
  user_id integer PRIMARY KEY,
  -- Empty for a tombstone of a user the catalog never knew by name.
  username text NOT NULL,
  -- When `username` was true (the event's time); -infinity when it came from an access
  -- token, so any event wins over it and a redelivered older event never does.
  username_at timestamptz NOT NULL DEFAULT '-infinity',
  deleted_at timestamptz
);

CREATE TABLE songs (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  artist text NOT NULL CHECK (char_length(artist) BETWEEN 1 AND 200),
  uploader_id integer NOT NULL REFERENCES uploaders (user_id),
  object_key text NOT NULL UNIQUE,
  duration_ms integer NOT NULL CHECK (duration_ms > 0),
  mime_type text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  -- Millisecond precision, as JavaScript dates have: page cursors carry created_at and
  -- must compare equal to the stored value.
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Newest first, with the id as tie-breaker: the listing's order and its keyset.
CREATE INDEX songs_created_idx ON songs (created_at DESC, id DESC);
CREATE INDEX songs_uploader_created_idx ON songs (uploader_id, created_at DESC, id DESC);
CREATE INDEX songs_title_trgm_idx ON songs USING gin (title gin_trgm_ops);
CREATE INDEX songs_artist_trgm_idx ON songs USING gin (artist gin_trgm_ops);

CREATE TABLE song_genres (
  song_id integer NOT NULL REFERENCES songs (id) ON DELETE CASCADE,
  genre_id integer NOT NULL REFERENCES genres (id),
  PRIMARY KEY (song_id, genre_id)
);
-- The genre filter looks songs up by genre.
CREATE INDEX song_genres_genre_idx ON song_genres (genre_id, song_id);

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
