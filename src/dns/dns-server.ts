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
  /** closed makes a late listenUdp (a retry racing close) give its socket up at once. */
  #closed = false;

  constructor(handler: DnsHandler, log?: (msg: string) => void) {
    this.#handler = handler;
    this.#log = log;
  }

  /** listen binds UDP and TCP on the address; port 0 picks one port free for both. Returns the bound address. */
  async listen(addr: ListenAddress): Promise<ListenAddress> {
    this.#closed = false;
    const tcp = createServer((sock) => this.#serveTcp(sock));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(addr.port, addr.host, () => resolve());
    });
    const port = (tcp.address() as { port: number }).port;
    try {
      await this.listenUdp({ host: addr.host, port });
    } catch (err) {
      tcp.close();
      throw err;
    }
    this.#tcp.push(tcp);
    return { host: addr.host, port };
  }

  /**
   * listenUdp binds one more UDP socket, e.g. a specific address beside a
   * wildcard listener on the same port. Why: a wildcard UDP socket replies
   * from whatever source address the route to the client picks, and when a
   * query was DNATed to this host (a ClusterIP in front of us) from a client
   * that is not behind the address it was DNATed to (the node itself, a
   * hostNetwork pod, another node), that source does not match the NAT
   * entry, the reply is not translated back and the client times out.
   * Linux delivers to the most specific bound socket, whose replies carry
   * the address it is bound to; both sockets set SO_REUSEADDR to share the port.
   */
  async listenUdp(addr: ListenAddress): Promise<void> {
    const udp = createSocket({ type: isIPv6(addr.host) ? 'udp6' : 'udp4', reuseAddr: true });
    udp.on('message', (msg, rinfo) => {
      void this.#answer(msg, 'udp').then((res) => {
        if (res) udp.send(res, rinfo.port, rinfo.address);
      });
    });
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => {
        udp.close();
        reject(err);
      };
      udp.once('error', failed);
      udp.bind(addr.port, addr.host, () => {
        udp.off('error', failed);
        resolve();
      });
    });
    if (this.#closed) return void udp.close();
    udp.on('error', (err) => this.#log?.(`dns: udp ${addr.host}:${addr.port}: ${err.message}`));
    this.#udp.push(udp);
  }

  /** close stops every listener and drops open TCP connections. */
  async close(): Promise<void> {
    this.#closed = true;
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
