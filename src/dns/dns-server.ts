// SPDX-License-Identifier: Apache-2.0
/**
 * DnsServer is the transport: UDP and TCP listeners on each address, handing
 * every message to one handler. TCP carries several length-prefixed
 * messages per connection (RFC 7766 §6.2.1) and closes idle ones.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';

/** Transport says how a query arrived (it decides the response size limit). */
export type Transport = 'udp' | 'tcp';

/** DnsHandler answers one raw query; undefined means no answer at all. */
export type DnsHandler = (query: Buffer, transport: Transport) => Promise<Buffer | undefined>;

/** ListenAddress is one host:port to serve on. */
export interface ListenAddress {
  host: string;
  port: number;
}

const TCP_IDLE_MS = 10_000;

/** DnsServer serves a handler on UDP and TCP. */
export class DnsServer {
  readonly #handler: DnsHandler;
  readonly #udp: UdpSocket[] = [];
  readonly #tcp: Server[] = [];
  readonly #conns = new Set<Socket>();
  readonly #log?: (msg: string) => void;

  constructor(handler: DnsHandler, log?: (msg: string) => void) {
    this.#handler = handler;
    this.#log = log;
  }

  /** listen binds UDP and TCP on the address; port 0 picks one port free for both. Returns the bound address. */
  async listen(addr: ListenAddress): Promise<ListenAddress> {
    const tcp = createServer((sock) => this.#serveTcp(sock));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(addr.port, addr.host, () => resolve());
    });
    const port = (tcp.address() as { port: number }).port;
    const udp = createSocket({ type: isIPv6(addr.host) ? 'udp6' : 'udp4' });
    udp.on('message', (msg, rinfo) => {
      void this.#answer(msg, 'udp').then((res) => {
        if (res) udp.send(res, rinfo.port, rinfo.address);
      });
    });
    udp.on('error', (err) => this.#log?.(`dns: udp ${addr.host}:${port}: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, addr.host, () => resolve());
    });
    this.#udp.push(udp);
    this.#tcp.push(tcp);
    return { host: addr.host, port };
  }

  /** close stops every listener and drops open TCP connections. */
  async close(): Promise<void> {
    for (const u of this.#udp) u.close();
    for (const c of this.#conns) c.destroy();
    await Promise.all(this.#tcp.map((t) => new Promise<void>((resolve) => t.close(() => resolve()))));
    this.#udp.length = 0;
    this.#tcp.length = 0;
  }

  async #answer(msg: Buffer, transport: Transport): Promise<Buffer | undefined> {
    try {
      return await this.#handler(msg, transport);
    } catch (err) {
      this.#log?.(`dns: handler failed: ${(err as Error).stack ?? err}`);
      return undefined;
    }
  }

  #serveTcp(sock: Socket): void {
    this.#conns.add(sock);
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
    sock.on('close', () => this.#conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.#answer(Buffer.from(msg), 'tcp').then((res) => {
          if (!res || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(res.length);
          sock.write(Buffer.concat([len, res]));
        });
      }
    });
  }
}
