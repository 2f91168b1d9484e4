import { useState } from 'react';
import { ok, type FriendRequest, type User } from '@octave/sdk';
import { Link } from '../router.js';
import { client, useMe } from '../session.js';
import { Avatar, ErrorNote, Section, useAction, useLoad } from '../ui.js';

interface Relations {
  friends: Set<number>;
  following: Set<number>;
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
}

/** Who I am friends with, follow, and have pending requests with: what the buttons show. */
function useRelations(meId: number) {
  return useLoad(async (): Promise<Relations> => {
    const [friends, following, incoming, outgoing] = await Promise.all([
      ok(client.api.GET('/api/users/{id}/friends', { params: { path: { id: meId }, query: { limit: 100 } } })),
      ok(client.api.GET('/api/users/{id}/following', { params: { path: { id: meId }, query: { limit: 100 } } })),
      ok(client.api.GET('/api/friends/requests', { params: { query: { direction: 'incoming', limit: 100 } } })),
      ok(client.api.GET('/api/friends/requests', { params: { query: { direction: 'outgoing', limit: 100 } } })),
    ]);
    return {
      friends: new Set(friends.items.map((u) => u.id)),
      following: new Set(following.items.map((u) => u.id)),
      incoming: incoming.items,
      outgoing: outgoing.items,
    };
  }, [meId]);
}

function RelationButtons({ user, relations, onChange }: { user: User; relations: Relations; onChange: () => void }) {
  const me = useMe();
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn();
    onChange();
  });
  if (user.id === me.id) return <span className="muted">you</span>;
  const path = { path: { id: user.id } };
  const incoming = relations.incoming.find((r) => r.requester.id === user.id);
  const outgoing = relations.outgoing.find((r) => r.addressee.id === user.id);
  const following = relations.following.has(user.id);
  let friendButton;
  if (relations.friends.has(user.id)) {
    friendButton = (
      <button type="button" onClick={() => void act.run(() => ok(client.api.DELETE('/api/friends/{userId}', { params: { path: { userId: user.id } } })))}>
        Unfriend
      </button>
    );
  } else if (incoming) {
    friendButton = (
      <button
        type="button"
        className="primary"
        onClick={() => void act.run(() => ok(client.api.POST('/api/friends/requests/{id}/accept', { params: { path: { id: incoming.id } } })))}
      >
        Accept friend request
      </button>
    );
  } else if (outgoing) {
    friendButton = (
      <button type="button" onClick={() => void act.run(() => ok(client.api.DELETE('/api/friends/requests/{id}', { params: { path: { id: outgoing.id } } })))}>
        Cancel request
      </button>
    );
  } else {
    friendButton = (
      <button type="button" onClick={() => void act.run(() => ok(client.api.POST('/api/friends/requests', { body: { userId: user.id } })))}>
        Add friend
      </button>
    );
  }
  return (
    <div className="row">
      {friendButton}
      <button
        type="button"
        aria-pressed={following}
        onClick={() =>
          void act.run(() => ok(following ? client.api.DELETE('/api/users/{id}/follow', { params: path }) : client.api.PUT('/api/users/{id}/follow', { params: path })))
        }
      >
        {following ? 'Unfollow' : 'Follow'}
      </button>
      <ErrorNote error={act.error} />
    </div>
  );
}

function UserRow({ user, relations, onChange }: { user: User; relations: Relations | undefined; onChange: () => void }) {
  return (
    <li className="user-row">
      <Avatar user={user} size={40} />
      <div className="grow">
        <Link to={`/users/${user.id}`}>{user.username}</Link>
        <p className="muted small">
          {user.followersCount} followers{user.bio ? ` · ${user.bio}` : ''}
        </p>
      </div>
      {relations && <RelationButtons user={user} relations={relations} onChange={onChange} />}
    </li>
  );
}

export function PeoplePage() {
  const me = useMe();
  const [search, setSearch] = useState('');
  const relations = useRelations(me.id);
  const results = useLoad(
    () => ok(client.api.GET('/api/users', { params: { query: { search: search.trim() || undefined, limit: 30 } } })),
    [search],
  );
  const friends = useLoad(() => ok(client.api.GET('/api/users/{id}/friends', { params: { path: { id: me.id }, query: { limit: 100 } } })), [relations.data]);
  const decline = useAction(async (id: number) => {
    await ok(client.api.POST('/api/friends/requests/{id}/decline', { params: { path: { id } } }));
    relations.reload();
  });
  const accept = useAction(async (id: number) => {
    await ok(client.api.POST('/api/friends/requests/{id}/accept', { params: { path: { id } } }));
    relations.reload();
  });
  const incoming = relations.data?.incoming ?? [];

  return (
    <div className="stack">
      {incoming.length > 0 && (
        <Section title="Friend requests">
          <ul className="list">
            {incoming.map((r) => (
              <li key={r.id} className="user-row">
                <Avatar user={r.requester} size={40} />
                <Link to={`/users/${r.requester.id}`} className="grow">
                  {r.requester.username}
                </Link>
                <button type="button" className="primary" onClick={() => void accept.run(r.id)}>
                  Accept
                </button>
                <button type="button" onClick={() => void decline.run(r.id)}>
                  Decline
                </button>
              </li>
            ))}
          </ul>
          <ErrorNote error={accept.error ?? decline.error} />
        </Section>
      )}
      <Section title="Find people">
        <label className="search">
          <span className="visually-hidden">Search by username</span>
          <input type="search" placeholder="Search by username…" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <ErrorNote error={results.error ?? relations.error} />
        <ul className="list">
          {results.data?.items.map((u) => <UserRow key={u.id} user={u} relations={relations.data} onChange={relations.reload} />)}
        </ul>
        {results.data && results.data.items.length === 0 && <p className="muted">Nobody by that name.</p>}
      </Section>
      <Section title="Your friends">
        <ul className="list">
          {friends.data?.items.map((u) => <UserRow key={u.id} user={u} relations={relations.data} onChange={relations.reload} />)}
        </ul>
        {friends.data && friends.data.items.length === 0 && <p className="muted">No friends yet: find people above.</p>}
      </Section>
    </div>
  );
}

export function UserPage({ id }: { id: number }) {
  const me = useMe();
  const user = useLoad(() => ok(client.api.GET('/api/users/{id}', { params: { path: { id } } })), [id]);
  const relations = useRelations(me.id);
  const playlists = useLoad(() => ok(client.api.GET('/api/users/{id}/playlists', { params: { path: { id }, query: { limit: 50 } } })), [id]);
  if (user.error) return <ErrorNote error={user.error} />;
  if (!user.data) return <p role="status">Loading…</p>;
  const u = user.data;
  return (
    <div className="stack">
      <Section title={u.username}>
        <div className="profile-head">
          <Avatar user={u} size={96} />
          <div>
            {u.bio && <p>{u.bio}</p>}
            <p className="muted">
              {u.friendsCount} friends · {u.followingCount} following · {u.followersCount} followers
            </p>
            {relations.data && <RelationButtons user={u} relations={relations.data} onChange={() => (relations.reload(), user.reload())} />}
          </div>
        </div>
      </Section>
      <Section title="Playlists">
        <ul className="list">
          {playlists.data?.items.map((p) => (
            <li key={p.id}>
              <Link to={`/playlists/${p.id}`}>{p.name}</Link> <span className="muted small">{p.songCount} songs</span>
            </li>
          ))}
        </ul>
        {playlists.data?.items.length === 0 && <p className="muted">No playlists.</p>}
      </Section>
    </div>
  );
}
