// SPDX-License-Identifier: Apache-2.0
/**
 * The fibonacci API (the tutorials' "server"): stores every submitted index
 * in Postgres (table `values`), marks it pending in the Redis hash `values`
 * and publishes it on the `insert` channel for the worker. Behind the
 * Ingress it is /api/*, rewritten to / by `rewrite-target: /$1`.
 *
 *   GET  /               "Hi"
 *   GET  /values/all     [{"number":7}, ...]       from Postgres
 *   GET  /values/current {"7":"13", ...}          from Redis
 *   POST /values         {"index":7} -> {"working":true}
 */
import http from 'node:http';
import { RedisClient, hashFromReply } from '../lib/redis-client.js';
import { PostgresClient } from '../lib/postgres-client.js';

const env = process.env;
const MAX_INDEX = 40;
const redis = new RedisClient({ host: env.REDIS_HOST || 'redis-cluster-ip-service', port: env.REDIS_PORT || 6379 });
const pg = new PostgresClient(
  { host: env.PGHOST || 'postgres-cluster-ip-service', port: env.PGPORT || 5432, user: env.PGUSER || 'postgres', database: env.PGDATABASE || 'postgres', password: env.PGPASSWORD || '' },
  (query) => query('CREATE TABLE IF NOT EXISTS values (number INT)'),
);

function send(res, status, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

function readJSON(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { data += d; if (data.length > 65536) reject(new Error('body too large')); });
    req.on('end', () => { try { resolve(data ? JSON.parse(data) : {}); } catch (err) { reject(err); } });
    req.on('error', reject);
  });
}

async function submit(req, res) {
  const body = await readJSON(req);
  const index = Number.parseInt(String(body.index), 10);
  if (!Number.isInteger(index) || index < 0) return send(res, 422, { error: 'index must be a non-negative integer' });
  if (index > MAX_INDEX) return send(res, 422, { error: `Index too high (at most ${MAX_INDEX})` });
  await redis.command('HSET', 'values', String(index), 'Nothing yet!');
  await redis.command('PUBLISH', 'insert', String(index));
  await pg.query(`INSERT INTO values(number) VALUES (${index})`);
  send(res, 200, { working: true });
}

const routes = {
  'GET /': async (_req, res) => send(res, 200, 'Hi'),
  'GET /values/all': async (_req, res) => send(res, 200, (await pg.query('SELECT number FROM values')).map((r) => ({ number: Number(r.number) }))),
  'GET /values/current': async (_req, res) => send(res, 200, hashFromReply(await redis.command('HGETALL', 'values'))),
  'POST /values': submit,
};

const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') || '/';
  const route = routes[`${req.method} ${path}`];
  if (!route) return send(res, 404, { error: `no route ${req.method} ${path}` });
  route(req, res).catch((err) => {
    console.error(`${req.method} ${path}: ${err.message}`);
    if (!res.headersSent) send(res, 503, { error: err.message });
  });
});

const port = Number(env.PORT || 5000);
server.listen(port, '0.0.0.0', () => console.log(`fibonacci api listening on :${port}`));
// Prepare the table early; a failure here only means Postgres is not up yet (the next query retries).
pg.query('SELECT 1').then(() => console.log('connected to postgres'), (err) => console.error(`postgres not ready: ${err.message}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)).closeAllConnections());
