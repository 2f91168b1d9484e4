// The baseline of the read benchmark: one plain Fastify process with a `pg` pool that
// answers GET /api/songs/:id from the catalog's tables with the catalog service's own
// statement (imported from its build, the id written in as the catalog's ORM writes it)
// and the same JSON; no bus, no authentication, no logging. A second route,
// /coalesced/songs/:id, reads as the catalog does: the ids asked for in one turn of the
// event loop with one statement (the platform's BatchLoader). Run by bench/run.js:
//   DATABASE_URL=... PORT=... node bench/baseline-server.js
import Fastify from 'fastify';
import pg from 'pg';
import { SONGS_BY_IDS_SQL, songDto } from '../apps/catalog/dist/songs/song.presenter.js';
import { BatchLoader } from '../libs/platform/dist/cache/index.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? 10) });
const app = Fastify({ logger: false });

const songs = new BatchLoader(async (ids) => {
  const { rows } = await pool.query(SONGS_BY_IDS_SQL.replace('?', ids.join(', ')));
  return new Map(rows.map((row) => [row.id, row]));
});

/** GET <prefix>/:id, the song read by `read(id)`. */
function songRoute(url, read) {
  app.get(url, async (request, reply) => {
    const id = Number(request.params.id);
    if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'id' });
    const row = await read(id);
    if (!row) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `song ${id} not found` });
    return songDto(row);
  });
}

songRoute('/api/songs/:id', async (id) => (await pool.query(SONGS_BY_IDS_SQL.replace('?', String(id)))).rows[0]);
songRoute('/coalesced/songs/:id', (id) => songs.load(id));

app.get('/health', async () => ({ ok: true }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.on('SIGTERM', () => {
  void app.close().then(() => pool.end()).then(() => process.exit(0));
});
