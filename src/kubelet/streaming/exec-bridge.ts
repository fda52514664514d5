// SPDX-License-Identifier: Apache-2.0
/**
 * Bridging a client's exec/attach WebSocket to the runtime's streaming URL.
 * The client speaks k8s.io/apimachinery's channel protocol (each binary
 * message starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 status,
 * 4 resize; v5 adds 255 "close channel"); containerd 1.6 serves only up to
 * `v4.channel.k8s.io`, which has the same framing and status JSON, so
 * messages pass through unchanged. What v4 cannot carry is v5's stdin
 * close: without it a command that reads stdin to EOF keeps waiting (see
 * the package README note in index.ts).
 */
import WebSocket from 'ws';

/** EXEC_PROTOCOLS are the subprotocols served for exec and attach, preferred first. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** RUNTIME_STREAM_PROTOCOL is what we ask the runtime's streaming server for. */
export const RUNTIME_STREAM_PROTOCOL = 'v4.channel.k8s.io';

const CLOSE_CHANNEL = 255;
const STATUS_CHANNEL = 3;

/** runtimeWebSocketURL turns a CRI streaming URL (http://...) into its WebSocket form. */
export function runtimeWebSocketURL(url: string): string {
  return url.replace(/^http/, 'ws');
}

/** statusMessage is a v4 status-channel message carrying a failure, for errors we raise ourselves. */
export function statusMessage(message: string, reason = 'InternalError'): Buffer {
  const status = { metadata: {}, status: 'Failure', message, reason, code: 500 };
  return Buffer.concat([Buffer.from([STATUS_CHANNEL]), Buffer.from(JSON.stringify(status))]);
}

/**
 * bridgeExec pipes `client` (already upgraded) to the runtime streaming URL.
 * Client messages sent before the runtime answers are queued, not lost.
 */
export function bridgeExec(client: WebSocket, runtimeURL: string, log: (msg: string) => void = () => undefined): void {
  const upstream = new WebSocket(runtimeWebSocketURL(runtimeURL), [RUNTIME_STREAM_PROTOCOL]);
  const queued: Buffer[] = [];
  let open = false;
  client.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    if (data[0] === CLOSE_CHANNEL) {
      log(`exec: client closed channel ${data[1]}; the runtime's v4 protocol cannot forward it`);
      return;
    }
    if (open) upstream.send(data);
    else queued.push(data);
  });
  upstream.on('open', () => {
    open = true;
    for (const m of queued.splice(0)) upstream.send(m);
  });
  upstream.on('message', (data: Buffer, isBinary: boolean) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  });
  upstream.on('error', (err) => {
    log(`exec: runtime stream failed: ${err.message}`);
    if (!open && client.readyState === WebSocket.OPEN) client.send(statusMessage(`error dialing the container runtime's stream: ${err.message}`));
    client.close(1000);
  });
  upstream.on('close', () => {
    if (client.readyState === WebSocket.OPEN) client.close(1000);
  });
  client.on('close', () => upstream.terminate());
  client.on('error', () => upstream.terminate());
}
