// SPDX-License-Identifier: Apache-2.0
/**
 * Port forwarding for kubectl: kubectl 1.32 opens a WebSocket with the
 * subprotocol `SPDY/3.1+portforward.k8s.io` and runs a SPDY session inside
 * its binary messages (client-go tools/portforward tunneling dialer). For
 * each local connection it opens two SPDY streams sharing a `requestID`:
 * `streamType: error` and `streamType: data`, both with the `port`. We serve
 * each pair with its own runtime PortForward stream: containerd 1.6's
 * WebSocket port-forward (`v4.channel.k8s.io`, `?port=N`, channel 0 data and
 * 1 error, each first announcing the port as uint16 little-endian).
 */
import WebSocket from 'ws';
import { runtimeWebSocketURL } from './exec-bridge.js';
import { RUNTIME_STREAM_PROTOCOL } from './runtime-stream-dial.js';
import { SpdySession, type SpdyStream } from './spdy-session.js';

/** SPDY_PORT_FORWARD_PROTOCOL is the WebSocket subprotocol kubectl asks for port-forward. */
export const SPDY_PORT_FORWARD_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** PortForwardURL obtains a fresh runtime streaming URL for one port (CRI PortForward URLs are one-time). */
export type PortForwardURL = (port: number) => Promise<string>;

interface Pair {
  port: number;
  data?: SpdyStream;
  error?: SpdyStream;
  started: boolean;
}

/** serveSpdyPortForward runs a SPDY port-forward session over an upgraded WebSocket. */
export function serveSpdyPortForward(ws: WebSocket, urlFor: PortForwardURL, log: (msg: string) => void = () => undefined): void {
  const pairs = new Map<string, Pair>();
  const session = new SpdySession({
    send: (frame) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame, { binary: true });
    },
    onstream: (stream) => {
      const id = stream.headers['requestid'] ?? '';
      const port = Number(stream.headers['port']);
      const type = stream.headers['streamtype'];
      if (!Number.isInteger(port) || port <= 0 || port > 65535 || (type !== 'data' && type !== 'error')) {
        log(`port-forward: rejecting stream ${stream.id} with headers ${JSON.stringify(stream.headers)}`);
        return stream.reset();
      }
      const pair = pairs.get(id) ?? { port, started: false };
      pairs.set(id, pair);
      pair[type] = stream;
      // kubectl creates the error stream first, then the data stream; start once both are there.
      if (pair.data && pair.error && !pair.started) {
        pair.started = true;
        forwardPair(pair, urlFor, log).finally(() => pairs.delete(id));
      }
    },
    onclose: () => ws.close(),
  });
  ws.on('message', (data: Buffer) => session.receive(data));
  ws.on('close', () => session.close('websocket closed'));
  ws.on('error', () => session.close('websocket error'));
}

/** forwardPair connects one kubectl connection (data + error stream) to the pod's port. */
async function forwardPair(pair: Pair, urlFor: PortForwardURL, log: (msg: string) => void): Promise<void> {
  const data = pair.data!;
  const error = pair.error!;
  const fail = (message: string): void => {
    error.write(Buffer.from(message));
    error.end();
    data.end();
  };
  let url: string;
  try {
    url = await urlFor(pair.port);
  } catch (err) {
    return fail(`error forwarding port ${pair.port}: ${(err as Error).message}`);
  }
  await new Promise<void>((resolve) => {
    const upstream = new WebSocket(`${runtimeWebSocketURL(url)}?port=${pair.port}`, [RUNTIME_STREAM_PROTOCOL]);
    const queued: Buffer[] = [];
    const announced = new Set<number>();
    let open = false;
    const send = (b: Buffer) => upstream.send(Buffer.concat([Buffer.from([0]), b]));
    data.ondata = (b) => (open ? send(b) : queued.push(b));
    // containerd ends the pod connection as soon as either direction finishes, as its SPDY path does.
    data.onend = () => upstream.close();
    data.onreset = () => upstream.terminate();
    error.onreset = () => upstream.terminate();
    upstream.on('open', () => {
      open = true;
      for (const b of queued.splice(0)) send(b);
    });
    upstream.on('message', (msg: Buffer) => {
      const channel = msg[0];
      // The first message on each channel announces the port; it is not payload.
      if (!announced.has(channel)) return void announced.add(channel);
      if (channel === 0) data.write(msg.subarray(1));
      else if (channel === 1 && msg.length > 1) error.write(msg.subarray(1));
    });
    upstream.on('error', (err) => {
      log(`port-forward: runtime stream for port ${pair.port} failed: ${err.message}`);
      if (!open) error.write(Buffer.from(`error forwarding port ${pair.port}: ${err.message}`));
    });
    upstream.on('close', () => {
      error.end();
      data.end();
      resolve();
    });
  });
}

/**
 * proxyWebSocketPortForward serves the plain WebSocket port-forward protocol
 * (`v4.channel.k8s.io` / `portforward.k8s.io` with `?port=`) by relaying
 * messages to the runtime, which speaks the same protocol.
 */
export function proxyWebSocketPortForward(ws: WebSocket, url: string, ports: number[], log: (msg: string) => void = () => undefined): void {
  const query = ports.map((p) => `port=${p}`).join('&');
  const upstream = new WebSocket(`${runtimeWebSocketURL(url)}?${query}`, [RUNTIME_STREAM_PROTOCOL]);
  const queued: Buffer[] = [];
  ws.on('message', (m: Buffer) => (upstream.readyState === WebSocket.OPEN ? upstream.send(m) : queued.push(m)));
  upstream.on('open', () => queued.splice(0).forEach((m) => upstream.send(m)));
  upstream.on('message', (m: Buffer) => ws.readyState === WebSocket.OPEN && ws.send(m));
  upstream.on('error', (err) => log(`port-forward: runtime stream failed: ${err.message}`));
  upstream.on('close', () => ws.close());
  ws.on('close', () => upstream.terminate());
}
