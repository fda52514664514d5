// SPDX-License-Identifier: Apache-2.0
/**
 * A throwaway API server for tests that run the real kubectl: it answers
 * legacy discovery from the resource table, keeps created objects in memory,
 * decodes protobuf bodies with this module and records every request body,
 * so a test can see exactly what kubectl put on the wire. Not used when serving.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiGroupList, apiResourceList, apiVersions } from '../discovery.js';
import { StatusError, newStatus } from '../../machinery/index.js';
import { decodeProtobufObject, isProtobufMediaType } from './index.js';

/** CapturedRequest is one request with a body, as kubectl sent it. */
export interface CapturedRequest {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
  /** decoded is the body as JSON, through decodeProtobufObject for protobuf bodies. */
  decoded?: Record<string, unknown>;
  decodeError?: string;
}

/** CaptureServer is a running capture server. */
export interface CaptureServer {
  url: string;
  requests: CapturedRequest[];
  /** objects maps an object's URL path (`/api/v1/namespaces/x`) to its JSON. */
  objects: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** startCaptureServer listens on a free loopback port. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks), requests, objects);
      } catch (err) {
        const status = err instanceof StatusError ? err : new StatusError(500, 'InternalError', String(err));
        send(res, status.code, status.toStatus());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, objects, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function handle(req: IncomingMessage, res: ServerResponse, body: Buffer, requests: CapturedRequest[], objects: Map<string, Record<string, unknown>>): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname.replace(/\/$/, '');
  const method = req.method ?? 'GET';
  if (method === 'GET' && discovery(path, res)) return;
  if (method === 'GET') return getObjectOrList(path, res, objects);
  const contentType = req.headers['content-type'] ?? '';
  const captured: CapturedRequest = { method, path, contentType, body };
  requests.push(captured);
  if (body.length > 0) {
    try {
      captured.decoded = isProtobufMediaType(contentType) ? decodeProtobufObject(body) : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    } catch (err) {
      captured.decodeError = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }
  if (method === 'DELETE') {
    const obj = objects.get(path);
    objects.delete(path);
    return send(res, 200, obj ?? newStatus({ status: 'Success' }));
  }
  if (method === 'PATCH' || method === 'PUT') return send(res, 200, objects.get(path) ?? captured.decoded ?? {});
  return create(path, structuredClone(captured.decoded ?? {}), res, objects);
}

function create(path: string, obj: Record<string, unknown>, res: ServerResponse, objects: Map<string, Record<string, unknown>>): void {
  // Subresource posts (eviction, token) answer without storing anything new.
  if (/\/(eviction|token|binding)$/.test(path)) {
    if (path.endsWith('/eviction')) objects.delete(path.slice(0, -'/eviction'.length));
    if (path.endsWith('/token')) obj.status = { token: 'fake-token', expirationTimestamp: '2030-01-01T00:00:00Z' };
    if (path.endsWith('/eviction')) return send(res, 201, newStatus({ status: 'Success' }));
    return send(res, 201, obj);
  }
  if (/(accessreviews|rulesreviews|selfsubjectreviews)$/.test(path)) {
    obj.status = path.endsWith('selfsubjectreviews') ? { userInfo: { username: 'admin' } } : { allowed: true, resourceRules: [], nonResourceRules: [], incomplete: false };
    return send(res, 201, obj);
  }
  const meta = (obj.metadata ??= {}) as Record<string, unknown>;
  const ns = /\/namespaces\/([^/]+)\//.exec(path)?.[1];
  if (ns) meta.namespace = ns;
  meta.uid ??= `uid-${objects.size + 1}`;
  meta.resourceVersion = String(objects.size + 1);
  meta.creationTimestamp ??= '2026-01-02T03:04:05Z';
  objects.set(`${path}/${String(meta.name)}`, obj);
  send(res, 201, obj);
}

function getObjectOrList(path: string, res: ServerResponse, objects: Map<string, Record<string, unknown>>): void {
  const obj = objects.get(path);
  if (obj) return send(res, 200, obj);
  // A cluster-wide list (`/api/v1/pods`) also gathers the objects of every namespace.
  const across = new RegExp(`^${path.replace(/\/([^/]+)$/, '/namespaces/[^/]+/$1')}/[^/]+$`);
  const items = [...objects].filter(([k]) => (k.startsWith(`${path}/`) && !k.slice(path.length + 1).includes('/')) || across.test(k)).map(([, v]) => v);
  // A path with an odd number of segments after the group version names a collection.
  const segments = path.replace(/^\/(api\/v1|apis\/[^/]+\/[^/]+)/, '').split('/').filter(Boolean);
  // Typed clients want the list kind of the items (PodList), not a generic List.
  const kind = items[0] ? `${String(items[0].kind)}List` : 'List';
  if (segments.length % 2 === 1) return send(res, 200, { kind, apiVersion: items[0]?.apiVersion ?? 'v1', metadata: { resourceVersion: '1' }, items });
  send(res, 404, newStatus({ status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` }));
}

function discovery(path: string, res: ServerResponse): boolean {
  let doc: object | undefined;
  if (path === '/version') doc = { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' };
  else if (path === '/api') doc = apiVersions('127.0.0.1');
  else if (path === '/apis') doc = apiGroupList();
  else if (path === '/api/v1') doc = apiResourceList('', 'v1');
  else {
    const m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (m) doc = apiResourceList(m[1]!, m[2]!);
  }
  if (!doc) return false;
  send(res, 200, doc);
  return true;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
