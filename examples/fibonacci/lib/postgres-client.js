// SPDX-License-Identifier: Apache-2.0
/**
 * A small PostgreSQL client over the frontend/backend protocol v3 with Node's
 * standard library only: startup, password authentication (SCRAM-SHA-256,
 * md5 or cleartext, whichever the server asks for) and the simple query
 * protocol, with values returned as text. Queries run one at a time; a
 * broken connection (the Postgres pod was deleted) is replaced on the next
 * query, so callers only see the failure of the query in flight.
 */
import net from 'node:net';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** MessageReader splits the backend's byte stream into {type, body} messages and hands them out in order. */
class MessageReader {
  constructor(socket) {
    this.buffer = Buffer.alloc(0);
    this.queue = [];
    this.waiters = [];
    this.error = undefined;
    socket.on('data', (d) => this.#onData(d));
    const fail = (err) => {
      this.error ??= err;
      for (const w of this.waiters.splice(0)) w.reject(this.error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('postgres: connection closed')));
  }

  #onData(data) {
    this.buffer = Buffer.concat([this.buffer, data]);
    while (this.buffer.length >= 5) {
      const len = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + len) break;
      const msg = { type: String.fromCharCode(this.buffer[0]), body: this.buffer.subarray(5, 1 + len) };
      this.buffer = this.buffer.subarray(1 + len);
      const w = this.waiters.shift();
      if (w) w.resolve(msg);
      else this.queue.push(msg);
    }
  }

  next() {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}

function message(type, ...parts) {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(`${p}\0`) : p)));
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function int32(n) {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** errorText reads an ErrorResponse's severity, code and message fields. */
function errorText(body) {
  const fields = {};
  for (let at = 0; at < body.length && body[at] !== 0;) {
    const end = body.indexOf(0, at + 1);
    fields[String.fromCharCode(body[at])] = body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  return `${fields.S ?? 'ERROR'}: ${fields.M ?? 'unknown error'}${fields.C ? ` (${fields.C})` : ''}`;
}

/** scramClient runs SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL does it: the user name is taken from the startup message. */
async function scramAuth(socket, reader, password) {
  const nonce = randomBytes(18).toString('base64');
  const clientFirstBare = `n=*,r=${nonce}`;
  const first = Buffer.from(`n,,${clientFirstBare}`);
  socket.write(message('p', 'SCRAM-SHA-256', int32(first.length), first));
  const cont = await expectAuth(reader, 11);
  const serverFirst = cont.toString('utf8');
  const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
  if (!attrs.r?.startsWith(nonce)) throw new Error('postgres: SCRAM server nonce does not extend ours');
  const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const finalWithoutProof = `c=biws,r=${attrs.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${finalWithoutProof}`;
  const signature = createHmac('sha256', storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
  socket.write(message('p', Buffer.from(`${finalWithoutProof},p=${proof.toString('base64')}`)));
  const final = (await expectAuth(reader, 12)).toString('utf8');
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  const expected = createHmac('sha256', serverKey).update(authMessage).digest('base64');
  if (final !== `v=${expected}`) throw new Error('postgres: SCRAM server signature mismatch');
}

async function expectAuth(reader, code) {
  const msg = await reader.next();
  if (msg.type === 'E') throw new Error(`postgres: ${errorText(msg.body)}`);
  if (msg.type !== 'R' || msg.body.readInt32BE(0) !== code) throw new Error(`postgres: expected authentication step ${code}, got ${msg.type}`);
  return msg.body.subarray(4);
}

/** connectPostgres opens and authenticates one connection, resolving once the server is ready for queries. */
export async function connectPostgres({ host, port = 5432, user = 'postgres', password = '', database = 'postgres' }) {
  const socket = net.connect({ host, port: Number(port) });
  const reader = new MessageReader(socket);
  // A Service whose pod just went away can leave the SYN unanswered: give up and let the caller retry.
  socket.setTimeout(5000, () => socket.destroy(new Error('postgres: connection timed out')));
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
  socket.write(Buffer.concat([int32(params.length + 8), int32(196608), params]));
  for (;;) {
    const msg = await reader.next();
    if (msg.type === 'E') throw new Error(`postgres: ${errorText(msg.body)}`);
    if (msg.type === 'Z') {
      socket.setTimeout(0);
      return { socket, reader };
    }
    if (msg.type !== 'R') continue; // ParameterStatus, BackendKeyData, notices
    const code = msg.body.readInt32BE(0);
    if (code === 3) socket.write(message('p', password));
    else if (code === 5) {
      const inner = createHash('md5').update(password + user).digest('hex');
      socket.write(message('p', `md5${createHash('md5').update(inner).update(msg.body.subarray(4, 8)).digest('hex')}`));
    } else if (code === 10) await scramAuth(socket, reader, password);
    else if (code !== 0) throw new Error(`postgres: unsupported authentication method ${code}`);
  }
}

/** simpleQuery runs one SQL string and returns its rows as objects of text values (null for NULL). */
async function simpleQuery({ socket, reader }, sql) {
  socket.write(message('Q', sql));
  let columns = [];
  const rows = [];
  let error;
  for (;;) {
    const msg = await reader.next();
    if (msg.type === 'T') columns = rowDescription(msg.body);
    else if (msg.type === 'D') rows.push(dataRow(msg.body, columns));
    else if (msg.type === 'E') error = new Error(`postgres: ${errorText(msg.body)}`);
    else if (msg.type === 'Z') break;
  }
  if (error) throw error;
  return rows;
}

function rowDescription(body) {
  const names = [];
  let at = 2;
  for (let i = 0; i < body.readInt16BE(0); i++) {
    const end = body.indexOf(0, at);
    names.push(body.toString('utf8', at, end));
    at = end + 1 + 18; // table oid, column, type oid, size, modifier, format
  }
  return names;
}

function dataRow(body, columns) {
  const row = {};
  let at = 2;
  for (let i = 0; i < body.readInt16BE(0); i++) {
    const len = body.readInt32BE(at);
    at += 4;
    row[columns[i] ?? `column${i}`] = len < 0 ? null : body.toString('utf8', at, at + len);
    if (len > 0) at += len;
  }
  return row;
}

/**
 * PostgresClient runs queries one after another over a connection it
 * (re)opens as needed; onConnect runs on every new connection first (e.g.
 * CREATE TABLE IF NOT EXISTS), so a fresh database is prepared too.
 */
export class PostgresClient {
  constructor(options, onConnect) {
    this.options = options;
    this.onConnect = onConnect;
    this.conn = undefined;
    this.chain = Promise.resolve();
  }

  query(sql) {
    const run = this.chain.then(() => this.#run(sql));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async #run(sql) {
    if (!this.conn) {
      const conn = await connectPostgres(this.options);
      conn.socket.on('close', () => { if (this.conn === conn) this.conn = undefined; });
      this.conn = conn;
      try {
        if (this.onConnect) await this.onConnect((s) => simpleQuery(conn, s));
      } catch (err) {
        this.#drop(conn);
        throw err;
      }
    }
    const conn = this.conn;
    try {
      return await simpleQuery(conn, sql);
    } catch (err) {
      if (conn.reader.error) this.#drop(conn);
      throw err;
    }
  }

  #drop(conn) {
    conn.socket.destroy();
    if (this.conn === conn) this.conn = undefined;
  }
}

/** quoteLiteral quotes a string for SQL as PostgreSQL's quote_literal does for standard_conforming_strings. */
export function quoteLiteral(value) {
  return `'${String(value).replace(/'/g, "''")}'`;
}
