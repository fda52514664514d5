// SPDX-License-Identifier: Apache-2.0
/**
 * SpdySession is the server side of a SPDY/3.1 connection over any byte
 * pipe: it accepts the peer's streams (answering each SYN_STREAM with a
 * SYN_REPLY at once, which the client waits for), delivers their data and
 * half-closes, answers PINGs, and sends data back. There is no flow control:
 * moby/spdystream, kubectl's SPDY library, neither sends nor honours
 * WINDOW_UPDATE frames.
 */
import {
  encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, FLAG_FIN, HeaderEncoder, RstStatus,
  SpdyFrameReader, type SpdyFrame, type SpdyHeaders,
} from './spdy-framer.js';

const MAX_DATA_FRAME = 64 * 1024;

/** SpdyStream is one stream the peer opened. */
export class SpdyStream {
  /** ondata receives the peer's bytes; onend its half-close; onreset an abrupt end from either side. */
  ondata?: (data: Buffer) => void;
  onend?: () => void;
  onreset?: () => void;
  #localClosed = false;
  remoteClosed = false;

  constructor(readonly id: number, readonly headers: SpdyHeaders, private readonly session: SpdySession) {}

  /** write sends bytes to the peer on this stream. */
  write(data: Buffer): void {
    if (this.#localClosed) return;
    for (let off = 0; off < data.length; off += MAX_DATA_FRAME) this.session.send(encodeData(this.id, data.subarray(off, off + MAX_DATA_FRAME)));
  }

  /** end half-closes our side (DATA with FIN). */
  end(): void {
    if (this.#localClosed) return;
    this.#localClosed = true;
    this.session.send(encodeData(this.id, Buffer.alloc(0), true));
    if (this.remoteClosed) this.session.forget(this.id);
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
  /** onstream is called for each stream the peer opens, after its SYN_REPLY went out. */
  onstream(stream: SpdyStream): void;
  /** onclose is called once when the session ends (GOAWAY, protocol error, or close()). */
  onclose?(reason: string): void;
}

/** SpdySession is the server end of one SPDY connection. */
export class SpdySession {
  readonly #reader = new SpdyFrameReader();
  readonly #encoder = new HeaderEncoder();
  readonly #streams = new Map<number, SpdyStream>();
  #lastStreamId = 0;
  #closed = false;

  constructor(private readonly opts: SpdySessionOptions) {}

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
        return this.#open(f.streamId, f.headers, (f.flags & FLAG_FIN) !== 0);
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
        // Our own pings would be even; echo the peer's.
        if (f.id % 2 === 1) this.opts.send(encodePing(f.id));
        return;
      case 'goaway':
        return this.close('peer sent GOAWAY');
      default:
        return;
    }
  }

  #open(id: number, headers: SpdyHeaders, fin: boolean): void {
    if (id % 2 === 0 || id <= this.#lastStreamId) {
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
