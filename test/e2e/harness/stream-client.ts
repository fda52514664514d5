// SPDX-License-Identifier: Apache-2.0
/**
 * Test clients for the CRI streaming URLs (Exec, Attach, PortForward) over
 * WebSocket with the `v4.channel.k8s.io` subprotocol: every binary message
 * starts with a channel byte (0 stdin, 1 stdout, 2 stderr, 3 status/error,
 * 4 resize), per k8s.io/apimachinery/pkg/util/httpstream/wsstream. containerd
 * 1.6 refuses v5 (no stdin close), so commands must end on their own.
 */
import WebSocket from 'ws';

/** STREAM_PROTOCOL is the WebSocket subprotocol the CRI streaming server accepts. */
export const STREAM_PROTOCOL = 'v4.channel.k8s.io';

/** ExecResult collects an exec session's output by channel. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** status is the parsed v4 status object sent on channel 3 (metav1.Status). */
  status: { status?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } } | null;
}

const toWs = (url: string): string => url.replace(/^http/, 'ws');

/** execOverWebSocket runs the session behind an Exec URL to completion, optionally sending stdin first. */
export function execOverWebSocket(url: string, stdin?: string, timeoutMs = 15_000): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(toWs(url), [STREAM_PROTOCOL]);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let status: ExecResult['status'] = null;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`exec session timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on('open', () => {
      if (stdin !== undefined) ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(stdin)]));
    });
    ws.on('message', (data: Buffer) => {
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === 1) out.push(payload);
      else if (channel === 2) err.push(payload);
      else if (channel === 3 && payload.length) status = JSON.parse(payload.toString('utf8'));
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), status });
    });
  });
}

/**
 * portForwardRequest opens a PortForward URL for one port, sends `request` to it and
 * returns everything the pod answered before closing. Channels 0/1 are the port's
 * data and error streams; the server first announces the port (uint16 LE) on each.
 */
export function portForwardRequest(url: string, port: number, request: string, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${toWs(url)}?port=${port}`, [STREAM_PROTOCOL]);
    const data: Buffer[] = [];
    const errors: Buffer[] = [];
    const seen = new Set<number>();
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`port-forward timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on('message', (msg: Buffer) => {
      const channel = msg[0];
      const payload = msg.subarray(1);
      if (!seen.has(channel)) {
        // The first frame of each channel is the port number, not data.
        seen.add(channel);
        if (payload.readUInt16LE(0) !== port) reject(new Error(`channel ${channel} announced port ${payload.readUInt16LE(0)}`));
        if (channel === 0) ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(request)]));
        return;
      }
      (channel === 0 ? data : errors).push(payload);
      // HTTP/1.0 servers close after the response; closing the session ends the stream.
      if (channel === 0 && Buffer.concat(data).includes('\r\n\r\n')) setTimeout(() => ws.close(), 200);
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.on('close', () => {
      clearTimeout(timer);
      if (errors.length) reject(new Error(`port-forward error: ${Buffer.concat(errors).toString('utf8')}`));
      else resolve(Buffer.concat(data).toString('utf8'));
    });
  });
}
