// SPDX-License-Identifier: Apache-2.0
/**
 * How this server talks to an extension API server, as kube-aggregator's
 * proxy transport: HTTPS with the front-proxy client certificate, verifying
 * the serving certificate against spec.caBundle for the name
 * `<service>.<namespace>.svc` (or not at all with insecureSkipTLSVerify),
 * and small GETs (discovery checks, discovery and OpenAPI documents).
 */
import { request, type RequestOptions } from 'node:https';
import type { PemPair } from '../../pki/index.js';
import type { APIService } from './types.js';
import { serviceRefOf } from './service-resolver.js';

/** tlsOptionsFor builds the TLS part of requests to an APIService's server. */
export function tlsOptionsFor(s: APIService, client: PemPair): RequestOptions {
  const ref = serviceRefOf(s.spec);
  const caBundle = s.spec?.caBundle ? Buffer.from(s.spec.caBundle, 'base64').toString('utf8') : undefined;
  return {
    cert: client.cert,
    key: client.key,
    ...(caBundle ? { ca: caBundle } : {}),
    servername: ref ? `${ref.name}.${ref.namespace}.svc` : undefined,
    rejectUnauthorized: !s.spec?.insecureSkipTLSVerify,
  };
}

/** RemoteAnswer is a small answer read whole. */
export interface RemoteAnswer {
  status: number;
  body: string;
  /** etag is the answer's ETag header, if it had one. */
  etag?: string;
}

/** MAX_DOCUMENT_BYTES bounds what a discovery or OpenAPI fetch reads (extension servers are not trusted with our memory). */
const MAX_DOCUMENT_BYTES = 16 << 20;

/**
 * getRemote GETs a path from an extension server, failing after timeoutMs
 * (upstream's discovery client uses 5 s). Errors read as Go's url.Error:
 * `Get "https://host:port/path": reason`.
 */
export function getRemote(target: { host: string; port: number }, path: string, tls: RequestOptions, headers: Record<string, string | string[]>, timeoutMs = 5000): Promise<RemoteAnswer> {
  const url = `https://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}${path}`;
  return new Promise((resolve, reject) => {
    const req = request({ ...tls, host: target.host, port: target.port, path, method: 'GET', headers: { Accept: 'application/json', ...headers }, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_DOCUMENT_BYTES) req.destroy(new Error('response too large'));
        else chunks.push(d);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), etag: res.headers.etag }));
      res.on('error', (err) => reject(new Error(`Get "${url}": ${err.message}`)));
    });
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
    req.on('error', (err) => reject(new Error(`Get "${url}": ${err.message}`)));
    req.end();
  });
}

/** remoteURL renders the URL of a path on a target, as messages name it. */
export function remoteURL(target: { host: string; port: number }, path: string): string {
  return `https://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}${path}`;
}
