-- Social service: the graph of friendships (and the requests that start them), follows
-- and blocks, the users it may hold edges for, and the transactional outbox/inbox.
-- Runs with search_path = social, public; names are left unqualified.

-- Every user id the graph may reference, kept from identity's events (and from identity
-- itself for users whose registration event has not arrived yet). A deleted account
-- stays as a tombstone (`deleted_at` set), so a late write can never bring it back.
CREATE TABLE users (
  id integer PRIMARY KEY CHECK (id > 0),
  deleted_at timestamptz
);

-- A friend request and the friendship it becomes are one row: `user_id` asked,
-- `friend_id` was asked. One row per pair of users, whichever side asked.
CREATE TABLE friendships (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  friend_id integer NOT NULL REFERENCES users (id),
  status text NOT NULL CHECK (status IN ('pending', 'accepted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- When the status last changed: for an accepted row, when the two became friends.
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (user_id <> friend_id)
);
CREATE UNIQUE INDEX friendships_pair_key ON friendships (least(user_id, friend_id), greatest(user_id, friend_id));
-- Outgoing requests and one side of friend lists; the other side below.
CREATE INDEX friendships_user_idx ON friendships (user_id, status, updated_at DESC);
CREATE INDEX friendships_friend_idx ON friendships (friend_id, status, updated_at DESC);

CREATE TABLE follows (
  follower_id integer NOT NULL REFERENCES users (id),
  followee_id integer NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id),
  CHECK (follower_id <> followee_id)
);
CREATE INDEX follows_follower_idx ON follows (follower_id, created_at DESC);
CREATE INDEX follows_followee_idx ON follows (followee_id, created_at DESC);

CREATE TABLE blocks (
  blocker_id integer NOT NULL REFERENCES users (id),
  blocked_id integer NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker_id, blocked_id),
  CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id);

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
