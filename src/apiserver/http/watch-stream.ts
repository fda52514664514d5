// SPDX-License-Identifier: Apache-2.0
/**
 * A watch's events, written to whoever asked: a chunked HTTP response (one
 * JSON event per line) or a WebSocket (one event per message), as upstream's
 * watch server does (apiserver/pkg/endpoints/handlers/watch.go). WebSocket
 * watches matter to browsers: they hold at most six HTTP/1.1 connections to
 * a server, and a page with more live lists than that would stall; WebSockets
 * do not count against that limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';
import { StatusError, buildPredicate, newInternalError } from '../../machinery/index.js';
import { toTable, type TableConvertor } from '../printers/index.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { RequestContext } from '../registry/request-context.js';
import type { SourcedWatchEvent } from '../registry/watch.js';
import { encodedOnce } from '../registry/object-codec.js';
import type { ResourceRequestInfo } from './request-info.js';

/** WatchSink takes a watch's encoded events, one line each (with its newline). */
export interface WatchSink {
  /** send writes one line; the promise settles when the receiver can take more. */
  send(line: string): Promise<void> | void;
  /** closed aborts when the receiver goes away. */
  readonly closed: AbortSignal;
  end(): void;
}

/** WatchRequest is what a watch serves: the resource, its decoded parameters and, for kubectl get -w, a Table convertor. */
export interface WatchRequest {
  reg: ResourceRegistry;
  info: ResourceRequestInfo;
  ctx: RequestContext;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowBookmarks: boolean;
  sendInitialEvents?: boolean;
  /** timeoutSeconds ends the watch (validated by the caller); unset: 30-60 min, as upstream. */
  timeoutSeconds?: number;
  includeObject: 'None' | 'Metadata' | 'Object';
  table?: TableConvertor;
}

/** serveWatch streams events into sink until the watch ends or the receiver leaves. */
export async function serveWatch(w: WatchRequest, sink: WatchSink): Promise<void> {
  const { reg, info, ctx } = w;
  const predicate = buildPredicate(reg.info, w.labelSelector, w.fieldSelector, info.name);
  const ac = new AbortController();
  const onClosed = () => ac.abort();
  sink.closed.addEventListener('abort', onClosed, { once: true });
  const events = reg.watch(
    ctx,
    {
      predicate,
      resourceVersion: w.resourceVersion,
      allowBookmarks: w.allowBookmarks,
      sendInitialEvents: w.sendInitialEvents,
      // Upstream ends watches after a random 30-60 min when no timeout is given; clients re-watch.
      timeoutSeconds: w.timeoutSeconds ?? 1800 + Math.floor(Math.random() * 1800),
    },
    ac.signal,
  );
  const includeObject = w.includeObject;
  // Upstream sends column definitions with the first Table event only; kubectl reuses them.
  let headersSent = false;
  try {
    for await (const ev of events as AsyncIterable<SourcedWatchEvent>) {
      let line: string;
      if (w.table && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')) {
        const t = toTable(w.table, [ev.object], { now: new Date(), includeObject, noHeaders: headersSent });
        headersSent = true;
        line = JSON.stringify({ type: ev.type, object: t }) + '\n';
      } else if (ev.source) {
        // Cached with its newline, so a hundred watchers of one event share one string and copy nothing.
        const src = ev.source;
        line = encodedOnce(src, `${ev.type}|${reg.info.group}/${reg.info.version}`, () => JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
      } else {
        line = JSON.stringify({ type: ev.type, object: ev.object }) + '\n';
      }
      await sink.send(line);
      if (ac.signal.aborted) break;
    }
  } catch (err) {
    // Upstream reports a failure inside a started watch as an ERROR event carrying the Status, then ends the stream.
    const st = err instanceof StatusError ? err : newInternalError(err);
    if (!ac.signal.aborted) await sink.send(JSON.stringify({ type: 'ERROR', object: st.toStatus() }) + '\n');
  } finally {
    sink.closed.removeEventListener('abort', onClosed);
    ac.abort();
    sink.end();
  }
}

/**
 * WATCH_STALL_MS is how long a watch may wait for its client to take bytes
 * (a full socket buffer) before it is closed. The broadcaster already ends a
 * watcher whose queue overflows; this frees the connection and what it
 * buffered too, so a stuck client costs nothing after a minute. The client
 * re-watches from its last resourceVersion, as after any ended watch.
 */
const WATCH_STALL_MS = 60_000;

/** httpWatchSink writes a chunked JSON stream, waiting for drain when the client reads slowly. */
export function httpWatchSink(res: ServerResponse): WatchSink {
  const closed = new AbortController();
  res.on('close', () => closed.abort());
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  return {
    closed: closed.signal,
    send(line) {
      if (res.write(line) || closed.signal.aborted) return;
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(stall);
          res.off('drain', done);
          closed.signal.removeEventListener('abort', done);
          resolve();
        };
        // A client stuck for WATCH_STALL_MS loses the connection and what it buffered.
        const stall = setTimeout(() => {
          res.destroy();
          done();
        }, WATCH_STALL_MS);
        res.on('drain', done);
        closed.signal.addEventListener('abort', done, { once: true });
      });
    },
    end: () => res.end(),
  };
}

// Upstream's watch subprotocols: binary frames, base64 text frames, or (none offered) plain text frames.
const BINARY_PROTOCOL = 'binary.k8s.io';
const BASE64_PROTOCOL = 'base64.binary.k8s.io';
let wss: WebSocketServer | undefined;

/** webSocketServer loads the WebSocket library on the first WebSocket watch: an idle server never needs it. */
async function webSocketServer(): Promise<WebSocketServer> {
  if (!wss) {
    const { WebSocketServer } = await import('ws');
    wss ??= new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has(BINARY_PROTOCOL) ? BINARY_PROTOCOL : offered.has(BASE64_PROTOCOL) ? BASE64_PROTOCOL : false) });
  }
  return wss;
}

/** Bytes a WebSocket watcher may leave unread before the watch waits for it, as the HTTP stream waits for drain. */
const HIGH_WATER = 1 << 20;

/** webSocketWatchSink completes the WebSocket handshake and sends each event as one message. */
export async function webSocketWatchSink(req: IncomingMessage, socket: Socket, head: Buffer): Promise<WatchSink> {
  const server = await webSocketServer();
  return new Promise((resolve) => {
    server.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const closed = new AbortController();
      ws.on('close', () => closed.abort());
      ws.on('error', () => closed.abort());
      // Watchers only listen; anything they send is ignored, as upstream ignores it.
      ws.on('message', () => undefined);
      const binary = ws.protocol === BINARY_PROTOCOL;
      const base64 = ws.protocol === BASE64_PROTOCOL;
      resolve({
        closed: closed.signal,
        async send(line) {
          if (closed.signal.aborted) return;
          const data = base64 ? Buffer.from(line).toString('base64') : binary ? Buffer.from(line) : line;
          await new Promise<void>((done) => ws.send(data, { binary }, () => done()));
          while (ws.bufferedAmount > HIGH_WATER && !closed.signal.aborted) await new Promise((r) => setTimeout(r, 50));
        },
        end: () => ws.close(1000),
      });
    });
  });
}
