// SPDX-License-Identifier: Apache-2.0
/**
 * Dialing a container runtime's streaming URL (what CRI Exec/Attach return)
 * over SPDY/3.1, as upstream's kubelet and crictl do through client-go's
 * SPDY round tripper: an HTTP request with `Upgrade: SPDY/3.1` and the
 * remotecommand protocol in `X-Stream-Protocol-Version`, answered with 101.
 * We use SPDY rather than the runtime's WebSocket endpoint because
 * containerd 1.6 serves WebSocket only up to `v4.channel.k8s.io`, which has
 * no way to half-close stdin; a SPDY stream half-closes with FIN.
 */
import { request } from 'node:http';
import type { Socket } from 'node:net';

/** RUNTIME_STREAM_PROTOCOL is the remotecommand protocol asked of the runtime (its newest in containerd 1.6). */
export const RUNTIME_STREAM_PROTOCOL = 'v4.channel.k8s.io';

/** SpdyConnection is an upgraded connection to the runtime and the bytes that came with the 101. */
export interface SpdyConnection {
  socket: Socket;
  head: Buffer;
}

/** RuntimeDialError is a runtime that refused or failed the upgrade. */
export class RuntimeDialError extends Error {
  override readonly name = 'RuntimeDialError';
}

/** dialRuntimeSpdy upgrades a POST to the runtime's streaming URL to SPDY/3.1 speaking `protocol`. */
export function dialRuntimeSpdy(url: string, protocol = RUNTIME_STREAM_PROTOCOL, timeoutMs = 30_000): Promise<SpdyConnection> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocol, 'Content-Length': '0' },
      timeout: timeoutMs,
    });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const chosen = res.headers['x-stream-protocol-version'];
      if (chosen !== protocol) {
        socket.destroy();
        return reject(new RuntimeDialError(`the runtime chose stream protocol ${JSON.stringify(chosen)}, not ${protocol}`));
      }
      socket.setTimeout(0);
      socket.setNoDelay(true);
      resolve({ socket, head });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => reject(new RuntimeDialError(`the runtime refused the stream upgrade (${res.statusCode}): ${body.trim()}`)));
    });
    req.on('timeout', () => req.destroy(new RuntimeDialError('timed out dialing the runtime stream')));
    req.on('error', reject);
    req.end();
  });
}
