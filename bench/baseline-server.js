// The baseline of the read benchmark: one plain Fastify process with a `pg` pool that
// answers GET /api/songs/:id from the catalog's tables with the same queries as the
// catalog service (the song, then its genres and its uploader's name) and the same
// JSON shape; no bus, no authentication, no logging. Run by bench/run.js:
//   DATABASE_URL=... PORT=... node bench/baseline-server.js
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? 10) });
const app = Fastify({ logger: false });

app.get('/api/songs/:id', async (request, reply) => {
  const id = Number(request.params.id);
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'id' });
  const { rows } = await pool.query(
    'SELECT id, title, artist, uploader_id, object_key, duration_ms, mime_type, size_bytes, created_at, updated_at FROM catalog.songs WHERE id = $1 LIMIT 1',
    [id],
  );
  const song = rows[0];
  if (!song) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `song ${id} not found` });
  const [genres, uploaders] = await Promise.all([
    pool.query(
      `SELECT sg.song_id, g.id, g.name FROM catalog.song_genres sg JOIN catalog.genres g ON g.id = sg.genre_id
       WHERE sg.song_id IN ($1) ORDER BY lower(g.name), g.id`,
      [id],
    ),
    pool.query('SELECT user_id, username FROM catalog.uploaders WHERE user_id IN ($1)', [song.uploader_id]),
  ]);
  return {
    id: song.id,
    title: song.title,
    artist: song.artist,
    durationMs: song.duration_ms,
    mimeType: song.mime_type,
    sizeBytes: Number(song.size_bytes),
    genres: genres.rows.map((g) => ({ id: g.id, name: g.name })),
    uploader: { id: song.uploader_id, username: uploaders.rows[0]?.username ?? '' },
    streamUrl: `/api/songs/${song.id}/stream`,
    createdAt: song.created_at.toISOString(),
  };
});

app.get('/health', async () => ({ ok: true }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.on('SIGTERM', () => {
  void app.close().then(() => pool.end()).then(() => process.exit(0));
});
