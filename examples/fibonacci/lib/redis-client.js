// SPDX-License-Identifier: Apache-2.0
/**
 * A small Redis client over RESP2 with Node's standard library only: one
 * connection per client, commands pipelined in order, and a subscriber mode
 * that re-subscribes after Redis restarts. Enough for the fibonacci example
 * (HSET, HGETALL, PUBLISH, SUBSCRIBE), so the images need no npm install.
 */
import net from 'node:net';

/** encodeCommand serialises a command as a RESP array of bulk strings. */
export function encodeCommand(args) {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) {
    const s = String(a);
    parts.push(`$${Buffer.byteLength(s)}\r\n${s}\r\n`);
  }
  return parts.join('');
}

/** parseReply reads one RESP value at offset; it returns undefined while the reply is incomplete. */
export function parseReply(buf, offset = 0) {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  if (type === '+') return { value: line, next };
  if (type === '-') return { value: new Error(line), next };
  if (type === ':') return { value: Number(line), next };
  if (type === '$') {
    const len = Number(line);
    if (len < 0) return { value: null, next };
    if (buf.length < next + len + 2) return undefined;
    return { value: buf.toString('utf8', next, next + len), next: next + len + 2 };
  }
  if (type === '*') {
    const count = Number(line);
    if (count < 0) return { value: null, next };
    const items = [];
    let at = next;
    for (let i = 0; i < count; i++) {
      const item = parseReply(buf, at);
      if (!item) return undefined;
      items.push(item.value);
      at = item.next;
    }
    return { value: items, next: at };
  }
  throw new Error(`redis: unexpected reply type ${JSON.stringify(type)}`);
}

/** RedisClient sends commands over one connection, reconnecting on the next command after a failure. */
export class RedisClient {
  constructor({ host = '127.0.0.1', port = 6379, onPush } = {}) {
    this.host = host;
    this.port = Number(port);
    this.onPush = onPush;
    this.socket = undefined;
    this.pending = [];
    this.buffer = Buffer.alloc(0);
  }

  connect() {
    if (this.socket) return this.socket;
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    socket.on('data', (d) => this.#onData(d));
    const fail = (err) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.buffer = Buffer.alloc(0);
      for (const p of this.pending.splice(0)) p.reject(err);
      this.onClose?.(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('redis: connection closed')));
    this.socket = socket;
    return socket;
  }

  /** command sends one command and resolves with its reply (a Redis error reply rejects). */
  command(...args) {
    const socket = this.connect();
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      socket.write(encodeCommand(args));
    });
  }

  #onData(data) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    let at = 0;
    for (;;) {
      const reply = parseReply(this.buffer, at);
      if (!reply) break;
      at = reply.next;
      this.#deliver(reply.value);
    }
    this.buffer = this.buffer.subarray(at);
  }

  #deliver(value) {
    // In subscriber mode Redis pushes ["message", channel, payload] with no command waiting.
    if (Array.isArray(value) && value[0] === 'message' && this.onPush) return this.onPush(value[1], value[2]);
    const p = this.pending.shift();
    if (!p) return;
    if (value instanceof Error) p.reject(value);
    else p.resolve(value);
  }

  close() {
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/** hashFromReply turns HGETALL's flat [field, value, ...] reply into an object. */
export function hashFromReply(reply) {
  const out = {};
  for (let i = 0; i + 1 < (reply ?? []).length; i += 2) out[reply[i]] = reply[i + 1];
  return out;
}

/**
 * subscribe keeps a subscriber connection on `channel`, calling onMessage for
 * each published message and subscribing again (after retryMs) whenever the
 * connection drops, e.g. while the Redis pod restarts.
 */
export function subscribe({ host, port, channel, onMessage, log = console.log, retryMs = 1000 }) {
  const client = new RedisClient({ host, port, onPush: (_ch, msg) => onMessage(msg) });
  let stopped = false;
  const attempt = () => {
    if (stopped) return;
    client.command('SUBSCRIBE', channel).then(
      () => log(`subscribed to ${channel} on ${host}:${port}`),
      (err) => log(`redis subscribe failed: ${err.message}; retrying`),
    );
  };
  client.onClose = () => setTimeout(attempt, retryMs);
  attempt();
  return { close: () => { stopped = true; client.close(); } };
}
