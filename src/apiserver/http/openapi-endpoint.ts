// SPDX-License-Identifier: Apache-2.0
/**
 * serveOpenAPI answers /openapi/v2 (JSON or gnostic protobuf by Accept) and
 * /openapi/v3 (index and per group-version documents) with ETags, as
 * upstream's OpenAPI handlers do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../../machinery/index.js';
import { OPENAPI_V2_PROTOBUF_ACCEPT, type OpenAPIDocuments } from '../openapi/index.js';
import type { RequestTarget } from './request-target.js';
import { writeError } from './response.js';

export function serveOpenAPI(req: IncomingMessage, res: ServerResponse, path: string, url: RequestTarget, openapi: OpenAPIDocuments): void {
  let doc: { body: Buffer; etag: string; hash?: string } | undefined;
  let contentType = 'application/json';
  const v3 = path.startsWith('/openapi/v3/');
  if (path === '/openapi/v2') {
    // JSON or gnostic protobuf (what kubectl's client-side validation downloads), by Accept as upstream.
    const v2 = openapi.v2For(req.headers.accept);
    if (!v2) return writeError(res, new StatusError(406, 'NotAcceptable', `only application/json and ${OPENAPI_V2_PROTOBUF_ACCEPT} are served for /openapi/v2`));
    ({ rendered: doc, contentType } = v2);
  } else if (path === '/openapi/v3') {
    doc = openapi.v3IndexJson();
  } else if (v3) {
    doc = openapi.v3Json(path.slice('/openapi/v3/'.length));
    const asked = url.searchParams.get('hash');
    // A stale hash is redirected to the current document, as upstream does, so caches stay correct.
    if (doc && asked && doc.hash && asked !== doc.hash) {
      res.writeHead(301, { Location: `${path}?hash=${doc.hash}` });
      return void res.end();
    }
  }
  if (!doc) return writeError(res, new StatusError(404, 'NotFound', 'the server could not find the requested resource'));
  if (req.headers['if-none-match'] === doc.etag) {
    res.writeHead(304, { ETag: doc.etag });
    return void res.end();
  }
  const immutable = v3 && url.searchParams.has('hash');
  res.writeHead(200, {
    'Content-Type': contentType,
    'Content-Length': doc.body.length,
    ETag: doc.etag,
    Vary: 'Accept',
    // Hashed v3 URLs never change content, so clients may cache them for long (as upstream).
    'Cache-Control': immutable ? 'public, immutable' : 'no-cache, private',
    ...(immutable ? { Expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString() } : {}),
  });
  res.end(doc.body);
}
