// SPDX-License-Identifier: Apache-2.0
/**
 * Bridging a client's exec/attach WebSocket to the runtime's streaming URL.
 *
 * The client (kubectl through the API server) speaks k8s.io/apimachinery's
 * WebSocket channel protocol: each message (binary or text) starts with a channel byte
 * (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize), and v5 adds 255
 * "close channel" (`[255, 0]` ends stdin). Toward the runtime we speak
 * remotecommand v4 over SPDY, as client-go's SPDY executor does: one stream
 * per channel, opened by us with a `streamType` header (error first, then
 * stdin, stdout, stderr, and resize for a tty). stdin's end becomes a FIN on
 * its stream, which containerd turns into EOF for the process; the error
 * stream's v4 Status JSON (success, or NonZeroExitCode with the exit code)
 * becomes the client's status channel, which v4 and v5 share.
 */
import WebSocket from 'ws';
import type { Socket } from 'node:net';
import { dialRuntimeSpdy, type SpdyConnection } from './runtime-stream-dial.js';
import { SpdySession, type SpdyStream } from './spdy-session.js';
import { newStatus, type StatusReason } from '../../machinery/index.js';

/** EXEC_PROTOCOLS are the subprotocols served for exec and attach, preferred first. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** Channel numbers of the WebSocket remotecommand protocol. */
export const Channel = { STDIN: 0, STDOUT: 1, STDERR: 2, STATUS: 3, RESIZE: 4, CLOSE: 255 } as const;

/** ExecStreams are the streams a request asked for (its stdin/stdout/stderr/tty query flags). */
export interface ExecStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** runtimeWebSocketURL turns a CRI streaming URL (http://...) into its WebSocket form. */
export function runtimeWebSocketURL(url: string): string {
  return url.replace(/^http/, 'ws');
}

/** statusMessage is a status-channel message carrying a failure, for errors we raise ourselves. */
export function statusMessage(message: string, reason = 'InternalError'): Buffer {
  const status = newStatus({ typeMeta: false, status: 'Failure', message, reason: reason as StatusReason, code: 500 });
  return Buffer.concat([Buffer.from([Channel.STATUS]), Buffer.from(JSON.stringify(status))]);
}

/** RuntimeStreams are the SPDY streams opened toward the runtime for one exec. */
interface RuntimeStreams {
  error: SpdyStream;
  stdin?: SpdyStream;
  stdout?: SpdyStream;
  stderr?: SpdyStream;
  resize?: SpdyStream;
}

/**
 * openRuntimeStreams opens the streams in client-go's order. `ready`
 * resolves once the runtime answered every one (client-go waits for each
 * reply before it writes, and so do we); output may come before that.
 */
function openRuntimeStreams(session: SpdySession, want: ExecStreams): { streams: RuntimeStreams; ready: Promise<void> } {
  const open = (type: string) => session.open({ streamtype: type });
  const streams: RuntimeStreams = { error: open('error') };
  if (want.stdin) streams.stdin = open('stdin');
  if (want.stdout) streams.stdout = open('stdout');
  if (want.stderr && !want.tty) streams.stderr = open('stderr');
  if (want.tty) streams.resize = open('resize');
  const all = Object.values(streams) as SpdyStream[];
  const ready = new Promise<void>((resolve, reject) => {
    for (const s of all) {
      s.onreply = () => all.every((x) => x.replied) && resolve();
      s.onreset = () => reject(new Error(`the runtime refused the ${s.headers.streamtype} stream`));
    }
  });
  return { streams, ready };
}

/** Buffered bytes past which one side stops reading from the other (SPDY here has no flow control; TCP does). */
const HIGH_WATER = 1 << 20;

/**
 * bridgeExec pipes `client` (already upgraded) to the runtime streaming URL.
 * Client messages sent before the runtime's streams are ready are queued, not lost.
 */
export function bridgeExec(client: WebSocket, runtimeURL: string, want: ExecStreams, log: (msg: string) => void = () => undefined): void {
  const queued: Buffer[] = [];
  let deliver: ((m: Buffer) => void) | undefined;
  let runtime: Socket | undefined;
  let clientGone = false;
  let unsent = 0;
  const toClient = (channel: number, data: Buffer) => {
    if (client.readyState !== WebSocket.OPEN) return;
    // A slow client (a large `kubectl cp` download) pauses the runtime instead of filling our memory.
    unsent += data.length;
    if (unsent > HIGH_WATER) runtime?.pause();
    client.send(Buffer.concat([Buffer.from([channel]), data]), () => {
      unsent -= data.length;
      if (unsent <= HIGH_WATER / 2) runtime?.resume();
    });
  };
  // Text and binary frames alike carry a channel byte first: upstream's wsstream reads every frame
  // into bytes, and the Python client sends stdin as text frames (chr(0) + data).
  client.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    if (!deliver) return void queued.push(data);
    deliver(data);
    // And a slow runtime (a large upload) pauses the client.
    if (runtime && runtime.writableLength > HIGH_WATER) {
      client.pause();
      runtime.once('drain', () => client.resume());
    }
  });
  const clientClosed = () => {
    clientGone = true;
    runtime?.destroy();
  };
  client.on('close', clientClosed);
  client.on('error', clientClosed);

  void (async () => {
    const conn = await dialRuntimeSpdy(runtimeURL);
    runtime = conn.socket;
    if (clientGone) return conn.socket.destroy();
    const session = runtimeSession(conn, () => client.readyState === WebSocket.OPEN && client.close(1000), log);
    const { streams, ready } = openRuntimeStreams(session, want);
    relayFromRuntime(streams, toClient);
    await ready;
    deliver = (m) => relayToRuntime(m, streams);
    for (const m of queued.splice(0)) deliver(m);
  })().catch((err: Error) => {
    log(`exec: runtime stream failed: ${err.message}`);
    toClient(Channel.STATUS, statusMessage(`error dialing the container runtime's stream: ${err.message}`).subarray(1));
    runtime?.destroy();
    if (client.readyState === WebSocket.OPEN) client.close(1000);
  });
}

/** runtimeSession runs a client SPDY session on the runtime connection; `ended` is called once it closes. */
function runtimeSession(conn: SpdyConnection, ended: () => void, log: (msg: string) => void): SpdySession {
  const session = new SpdySession({
    role: 'client',
    send: (frame) => void (conn.socket.writable && conn.socket.write(frame)),
    onclose: () => conn.socket.end(),
  });
  conn.socket.on('data', (b: Buffer) => session.receive(b));
  conn.socket.on('close', () => {
    // Closing the session ends the error stream, which flushes the status before the client closes.
    session.close('runtime connection closed');
    ended();
  });
  conn.socket.on('error', (err) => log(`exec: runtime stream failed: ${err.message}`));
  if (conn.head.length) session.receive(conn.head);
  return session;
}

/** relayFromRuntime sends the runtime's output and final status to the client. */
function relayFromRuntime(streams: RuntimeStreams, toClient: (channel: number, data: Buffer) => void): void {
  if (streams.stdout) streams.stdout.ondata = (b) => toClient(Channel.STDOUT, b);
  if (streams.stderr) streams.stderr.ondata = (b) => toClient(Channel.STDERR, b);
  // v4's error stream carries one Status document. The runtime writes it and then closes the
  // whole connection (the stream may never see its own FIN), so it is complete at either end.
  const status: Buffer[] = [];
  let sent = false;
  const flush = () => {
    if (sent) return;
    sent = true;
    if (status.length) toClient(Channel.STATUS, Buffer.concat(status));
  };
  streams.error.ondata = (b) => status.push(b);
  streams.error.onend = flush;
  streams.error.onreset = flush;
}

/** relayToRuntime routes one client message to its runtime stream. */
function relayToRuntime(m: Buffer, streams: RuntimeStreams): void {
  const payload = m.subarray(1);
  switch (m[0]) {
    case Channel.STDIN:
      if (payload.length) streams.stdin?.write(payload);
      return;
    case Channel.RESIZE:
      // Both carry the same {"Width":..,"Height":..} JSON; the runtime decodes a sequence of them.
      if (payload.length) streams.resize?.write(payload);
      return;
    case Channel.CLOSE:
      if (payload[0] === Channel.STDIN) streams.stdin?.end();
      return;
    default:
      return;
  }
}
