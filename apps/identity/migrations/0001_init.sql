-- Identity service: accounts, logins (refresh-token families), login throttling,
-- and the transactional outbox/inbox. Runs with search_path = identity, public;
-- names are left unqualified.

CREATE TABLE users (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL,
  email text NOT NULL,
  password_hash text NOT NULL,
  bio text,
  avatar_key text,
  -- Kept from the social service's events; only ever changed with `x = x + delta`.
  friends_count integer NOT NULL DEFAULT 0 CHECK (friends_count >= 0),
  following_count integer NOT NULL DEFAULT 0 CHECK (following_count >= 0),
  followers_count integer NOT NULL DEFAULT 0 CHECK (followers_count >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Case-insensitive uniqueness; also serves ORDER BY lower(username) for search paging.
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
-- Prefix search (LIKE 'abc%') whatever the database collation.
CREATE INDEX users_username_lower_prefix_idx ON users (lower(username) text_pattern_ops);

-- One family per login; rotation adds a token to the family and marks the old one used.
CREATE TABLE refresh_tokens (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  family_id uuid NOT NULL,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- sha256 of the opaque token; the token itself is never stored.
  token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Failed logins in a fixed window, per key (`account:<login>` or `ip:<address>`).
CREATE TABLE login_failures (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  failures integer NOT NULL CHECK (failures > 0)
);
CREATE INDEX login_failures_window_idx ON login_failures (window_start);

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
