// SPDX-License-Identifier: Apache-2.0
/**
 * SpdySession is one end of a SPDY/3.1 connection over any byte pipe. As a
 * server (kubectl's port-forward) it accepts the peer's streams, answering
 * each SYN_STREAM with a SYN_REPLY at once, which the client waits for. As a
 * client (the kubelet toward containerd's streaming server) it opens streams
 * itself with odd ids, as spdystream's client does. Either way it delivers
 * data and half-closes, answers the peer's PINGs, and sends data back. There
 * is no flow control: moby/spdystream, the SPDY library of kubectl and of
 * the runtimes' streaming servers, neither sends nor honours WINDOW_UPDATE.
 */
import {
  encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, encodeSynStream, FLAG_FIN, HeaderEncoder, RstStatus,
  SpdyFrameReader, type SpdyFrame, type SpdyHeaders,
} from './spdy-framer.js';

const MAX_DATA_FRAME = 64 * 1024;

/** SpdyStream is one stream of a session, opened by either side. */
export class SpdyStream {
  /** ondata receives the peer's bytes; onend its half-close; onreset an abrupt end from either side. */
  ondata?: (data: Buffer) => void;
  onend?: () => void;
  onreset?: () => void;
  /** onreply is called when the peer answers a stream we opened with SYN_REPLY. */
  onreply?: () => void;
  #localClosed = false;
  remoteClosed = false;
  replied = false;

  constructor(readonly id: number, readonly headers: SpdyHeaders, private readonly session: SpdySession) {}

  /** write sends bytes to the peer on this stream. */
  write(data: Buffer): void {
    if (this.#localClosed) return;
    for (let off = 0; off < data.length; off += MAX_DATA_FRAME) this.session.send(encodeData(this.id, data.subarray(off, off + MAX_DATA_FRAME)));
  }

  /** end half-closes our side (DATA with FIN). */
  end(): void {
    if (this.#localClosed) return;
    this.markLocalClosed();
    this.session.send(encodeData(this.id, Buffer.alloc(0), true));
    if (this.remoteClosed) this.session.forget(this.id);
  }

  /** markLocalClosed records that our side is done without sending anything (a stream opened with FIN). */
  markLocalClosed(): void {
    this.#localClosed = true;
  }

  /** reset aborts the stream in both directions. */
  reset(status: number = RstStatus.CANCEL): void {
    this.#localClosed = true;
    this.session.send(encodeRstStream(this.id, status));
    this.session.forget(this.id);
  }
}

/** SpdySessionOptions connect a session to its byte pipe. */
export interface SpdySessionOptions {
  /** send writes bytes to the peer. */
  send(data: Buffer): void;
  /** onstream is called for each stream the peer opens, after its SYN_REPLY went out; without it (a client) the peer may open none. */
  onstream?(stream: SpdyStream): void;
  /** role decides stream and ping id parity: a client's are odd, a server's even (SPDY/3 §2.3.2, §2.6.5). Default server. */
  role?: 'client' | 'server';
  /** onclose is called once when the session ends (GOAWAY, protocol error, or close()). */
  onclose?(reason: string): void;
}

/** SpdySession is one end of one SPDY connection. */
export class SpdySession {
  readonly #reader = new SpdyFrameReader();
  readonly #encoder = new HeaderEncoder();
  readonly #streams = new Map<number, SpdyStream>();
  readonly #peerParity: number;
  #lastStreamId = 0;
  #nextOwnId: number;
  #closed = false;

  constructor(private readonly opts: SpdySessionOptions) {
    const client = opts.role === 'client';
    this.#peerParity = client ? 0 : 1;
    this.#nextOwnId = client ? 1 : 2;
  }

  /** closed says whether the session has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** open starts a stream of our own with these headers (SYN_STREAM); `fin` opens it already half-closed. */
  open(headers: SpdyHeaders, fin = false): SpdyStream {
    const id = this.#nextOwnId;
    this.#nextOwnId += 2;
    const s = new SpdyStream(id, headers, this);
    this.#streams.set(id, s);
    this.send(encodeSynStream(this.#encoder, id, headers, fin));
    if (fin) s.markLocalClosed();
    return s;
  }

  /** receive feeds bytes from the peer. */
  receive(chunk: Buffer): void {
    if (this.#closed) return;
    let frames: SpdyFrame[];
    try {
      frames = this.#reader.push(chunk);
    } catch (err) {
      this.opts.send(encodeGoAway(this.#lastStreamId, 1));
      this.close(`protocol error: ${(err as Error).message}`);
      return;
    }
    for (const f of frames) this.#dispatch(f);
  }

  #dispatch(f: SpdyFrame): void {
    switch (f.type) {
      case 'syn_stream':
        return this.#accept(f.streamId, f.headers, (f.flags & FLAG_FIN) !== 0);
      case 'syn_reply': {
        const s = this.#streams.get(f.streamId);
        if (!s || s.replied) return;
        s.replied = true;
        s.onreply?.();
        if (f.flags & FLAG_FIN) this.#remoteEnd(s);
        return;
      }
      case 'data': {
        const s = this.#streams.get(f.streamId);
        if (!s) return;
        if (f.data.length) s.ondata?.(f.data);
        if (f.flags & FLAG_FIN) this.#remoteEnd(s);
        return;
      }
      case 'rst_stream': {
        const s = this.#streams.get(f.streamId);
        if (!s) return;
        this.#streams.delete(f.streamId);
        s.onreset?.();
        return;
      }
      case 'ping':
        // Echo the peer's pings; ours (which we never send) would have our parity.
        if (f.id % 2 === this.#peerParity) this.opts.send(encodePing(f.id));
        return;
      case 'goaway':
        return this.close('peer sent GOAWAY');
      default:
        return;
    }
  }

  #accept(id: number, headers: SpdyHeaders, fin: boolean): void {
    if (!this.opts.onstream) {
      this.opts.send(encodeRstStream(id, RstStatus.REFUSED_STREAM));
      return;
    }
    if (id % 2 !== this.#peerParity || id <= this.#lastStreamId) {
      this.opts.send(encodeRstStream(id, RstStatus.PROTOCOL_ERROR));
      return;
    }
    this.#lastStreamId = id;
    const s = new SpdyStream(id, headers, this);
    this.#streams.set(id, s);
    this.opts.send(encodeSynReply(this.#encoder, id));
    this.opts.onstream(s);
    if (fin) this.#remoteEnd(s);
  }

  #remoteEnd(s: SpdyStream): void {
    if (s.remoteClosed) return;
    s.remoteClosed = true;
    s.onend?.();
  }

  /** send writes raw frames; used by streams. */
  send(frame: Buffer): void {
    if (!this.#closed) this.opts.send(frame);
  }

  /** forget drops a finished stream. */
  forget(id: number): void {
    this.#streams.delete(id);
  }

  /** close ends the session, resetting every open stream locally. */
  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#streams.values()) s.onreset?.();
    this.#streams.clear();
    this.opts.onclose?.(reason);
  }
}
