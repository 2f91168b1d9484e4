// The baseline of the read benchmark: one plain Fastify process with a `pg` pool that
// answers GET /api/songs/:id from the catalog's tables with the catalog service's own
// statement (imported from its build, the id written in as the catalog's ORM writes it)
// and the same JSON; no bus, no authentication, no logging. Run by bench/run.js:
//   DATABASE_URL=... PORT=... node bench/baseline-server.js
import Fastify from 'fastify';
import pg from 'pg';
import { SONGS_BY_IDS_SQL, songDto } from '../apps/catalog/dist/songs/song.presenter.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? 10) });
const app = Fastify({ logger: false });

app.get('/api/songs/:id', async (request, reply) => {
  const id = Number(request.params.id);
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'id' });
  const { rows } = await pool.query(SONGS_BY_IDS_SQL.replace('?', String(id)));
  if (!rows[0]) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `song ${id} not found` });
  return songDto(rows[0]);
});

app.get('/health', async () => ({ ok: true }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.on('SIGTERM', () => {
  void app.close().then(() => pool.end()).then(() => process.exit(0));
});
