import { OctaveApiError, errorBodyFor } from '@octave/sdk';
import { client } from './session.js';

/**
 * Song audio for an `<audio>` element. The stream route needs the bearer token, which a
 * media element cannot send, so the song is fetched with it and played from a blob
 * URL. The last few stay in memory, so going back to a song is instant.
 */
const KEEP = 4;
const cache = new Map<number, Promise<string>>();

export function songAudioUrl(songId: number): Promise<string> {
  const hit = cache.get(songId);
  if (hit) {
    cache.delete(songId);
    cache.set(songId, hit);
    return hit;
  }
  const url = (async () => {
    const { data, response } = await client.api.GET('/api/songs/{id}/stream', { params: { path: { id: songId } }, parseAs: 'blob' });
    if (!response.ok || !data) throw new OctaveApiError(errorBodyFor(response.status, `song ${songId} could not be loaded`));
    return URL.createObjectURL(data as Blob);
  })();
  cache.set(songId, url);
  url.catch(() => cache.delete(songId));
  while (cache.size > KEEP) {
    const [oldest, old] = cache.entries().next().value as [number, Promise<string>];
    cache.delete(oldest);
    void old.then((u) => URL.revokeObjectURL(u), () => undefined);
  }
  return url;
}
