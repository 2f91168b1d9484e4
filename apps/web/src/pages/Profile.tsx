import { useState, type ChangeEvent, type FormEvent } from 'react';
import { ok, type UploadProgress } from '@octave/sdk';
import { client, useMe, useSession } from '../session.js';
import { Avatar, ErrorNote, Section, UploadBar, useAction } from '../ui.js';

export function ProfilePage() {
  const me = useMe();
  const { setMe, signOut } = useSession();
  const [username, setUsername] = useState(me.username);
  const [email, setEmail] = useState(me.email);
  const [bio, setBio] = useState(me.bio ?? '');
  const [saved, setSaved] = useState(false);
  const [progress, setProgress] = useState<UploadProgress | null>(null);

  const save = useAction(async () => {
    setSaved(false);
    const body = {
      ...(username !== me.username ? { username } : {}),
      ...(email !== me.email ? { email } : {}),
      ...(bio !== (me.bio ?? '') ? { bio: bio || null } : {}),
    };
    setMe(await ok(client.api.PATCH('/api/me', { body })));
    setSaved(true);
  });
  const avatar = useAction(async (file: File) => {
    try {
      setMe(await client.setAvatar(file, { onProgress: setProgress }));
    } finally {
      setProgress(null);
    }
  });
  const removeAvatar = useAction(async () => setMe(await ok(client.api.DELETE('/api/me/avatar'))));

  const onSave = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) void avatar.run(file);
  };

  return (
    <div className="stack">
      <Section title="Your profile">
        <div className="profile-head">
          <Avatar user={me} size={96} />
          <div>
            <p className="big">{me.username}</p>
            <p className="muted">
              {me.friendsCount} friends · {me.followingCount} following · {me.followersCount} followers
            </p>
            <div className="row">
              <label className="button">
                Change avatar
                <input type="file" accept="image/png,image/jpeg,image/webp" onChange={onFile} className="visually-hidden" />
              </label>
              {me.avatarUrl && (
                <button type="button" onClick={() => void removeAvatar.run()} disabled={removeAvatar.busy}>
                  Remove avatar
                </button>
              )}
            </div>
            <UploadBar progress={progress} />
            <ErrorNote error={avatar.error} upload="image" />
            <ErrorNote error={removeAvatar.error} />
          </div>
        </div>
        <form className="form" onSubmit={onSave}>
          <label>
            Username
            <input value={username} onChange={(e) => setUsername(e.target.value.toLowerCase())} required minLength={3} maxLength={32} />
          </label>
          <label>
            Email
            <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </label>
          <label>
            Bio
            <textarea value={bio} onChange={(e) => setBio(e.target.value)} maxLength={500} rows={3} />
          </label>
          <ErrorNote error={save.error} />
          {saved && <p role="status">Saved.</p>}
          <div className="row">
            <button type="submit" className="primary" disabled={save.busy}>
              Save
            </button>
            <button type="button" onClick={() => void signOut()}>
              Log out
            </button>
          </div>
        </form>
      </Section>
    </div>
  );
}
