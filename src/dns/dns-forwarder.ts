// SPDX-License-Identifier: Apache-2.0
/**
 * Forwarding names outside the cluster to the node's resolvers, as CoreDNS's
 * `forward . /etc/resolv.conf`: the query goes out unchanged except for a
 * fresh ID, over UDP (TCP when the client used TCP or the upstream set TC),
 * to each upstream in turn until one answers.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIPv6, connect } from 'node:net';

/** Upstream is one resolver address. */
export interface Upstream {
  host: string;
  port: number;
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * upstreamsFromResolvConf reads nameservers from resolv.conf text, leaving
 * out any address the caller names (our own listen addresses and the
 * cluster DNS IP, which would forward to ourselves in a loop). A loopback
 * stub such as systemd-resolved's 127.0.0.53 is kept: this server runs on
 * the node, where that stub answers.
 */
export function upstreamsFromResolvConf(text: string, exclude: readonly string[] = []): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const [key, addr] = line.trim().split(/\s+/);
    if (key !== 'nameserver' || !addr || exclude.includes(addr)) continue;
    out.push({ host: addr.replace(/%.*$/, ''), port: 53 });
  }
  return out;
}

/** parseUpstream reads `ip`, `ip:port` or `[ipv6]:port`. */
export function parseUpstream(s: string): Upstream {
  const v6 = /^\[(.+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1], port: Number(v6[2] ?? 53) };
  if (isIPv6(s)) return { host: s, port: 53 };
  const [host, port] = s.split(':');
  return { host, port: Number(port ?? 53) };
}

/** Forwarder sends queries to upstream resolvers. */
export class Forwarder {
  readonly upstreams: Upstream[];
  readonly #timeoutMs: number;

  constructor(upstreams: Upstream[], timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.upstreams = upstreams;
    this.#timeoutMs = timeoutMs;
  }

  /** forward returns the first upstream's response with the client's ID, or throws when none answered. */
  async forward(query: Buffer, tcp: boolean): Promise<Buffer> {
    const id = query.readUInt16BE(0);
    const q = Buffer.from(query);
    let last: Error = new Error('no upstream resolvers');
    for (const up of this.upstreams) {
      q.writeUInt16BE(randomInt(0x10000), 0);
      try {
        let res = tcp ? await this.#tcp(up, q) : await this.#udp(up, q);
        // TC from upstream: ask again over TCP (RFC 7766), then let the client's own transport limits apply.
        if (!tcp && res.length >= 3 && (res[2] & 0x02) !== 0) res = await this.#tcp(up, q);
        const out = Buffer.from(res);
        out.writeUInt16BE(id, 0);
        return out;
      } catch (err) {
        last = err as Error;
      }
    }
    throw last;
  }

  #udp(up: Upstream, q: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = createSocket(isIPv6(up.host) ? 'udp6' : 'udp4');
      const done = (err?: Error, msg?: Buffer): void => {
        clearTimeout(timer);
        sock.close();
        if (err) reject(err);
        else resolve(msg!);
      };
      const timer = setTimeout(() => done(new Error(`upstream ${up.host}:${up.port} timed out`)), this.#timeoutMs);
      sock.on('error', (err) => done(err));
      sock.on('message', (msg) => {
        // Ignore stray datagrams: only the reply with our ID counts.
        if (msg.length >= 2 && msg.readUInt16BE(0) === q.readUInt16BE(0)) done(undefined, msg);
      });
      sock.send(q, up.port, up.host);
    });
  }

  #tcp(up: Upstream, q: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: up.host, port: up.port });
      let buf: Buffer = Buffer.alloc(0);
      const timer = setTimeout(() => sock.destroy(new Error(`upstream ${up.host}:${up.port} timed out`)), this.#timeoutMs);
      sock.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          clearTimeout(timer);
          sock.end();
          resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        }
      });
      sock.on('close', () => {
        clearTimeout(timer);
        reject(new Error(`upstream ${up.host}:${up.port} closed the connection`));
      });
      const len = Buffer.alloc(2);
      len.writeUInt16BE(q.length);
      sock.write(Buffer.concat([len, q]));
    });
  }
}
