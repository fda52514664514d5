// SPDX-License-Identifier: Apache-2.0
/**
 * The dashboard's built files (dist/ui, made by scripts/build-dashboard.mjs),
 * served from memory: a few hundred kilobytes read once, each with an ETag.
 * Unknown paths get index.html, as the app routes by URL hash. The files hold
 * no data: the app reads the API with the user's own credentials.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

// Scripts and connections only to this origin; xterm.js sets inline styles.
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

interface File {
  body: Buffer;
  type: string;
  etag: string;
}

/** DEFAULT_UI_DIR is dist/ui beside the compiled server (dist/src/dashboard → dist/ui). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

export class DashboardFiles {
  readonly #dir: string;
  #files?: Map<string, File>;

  constructor(dir = DEFAULT_UI_DIR) {
    this.#dir = dir;
  }

  /** built is false when the UI bundle is missing (the build step did not run). */
  get built(): boolean {
    return existsSync(join(this.#dir, 'index.html'));
  }

  #load(): Map<string, File> {
    if (this.#files) return this.#files;
    const files = new Map<string, File>();
    for (const name of readdirSync(this.#dir)) {
      const type = TYPES[extname(name)];
      if (!type) continue;
      const body = readFileSync(join(this.#dir, name));
      files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
    this.#files = files;
    return files;
  }

  /** serve answers GET/HEAD for a path relative to the UI root ('' or 'app.js'). */
  serve(req: IncomingMessage, res: ServerResponse, relative: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
      return void res.end('method not allowed\n');
    }
    if (!this.built) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('the dashboard is not built; run `npm run build` in the checkout\n');
    }
    const files = this.#load();
    const name = relative.replace(/^\/+/, '');
    const file = files.get(name) ?? files.get('index.html')!;
    const isIndex = !files.has(name) || name === 'index.html';
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, { ETag: file.etag });
      return void res.end();
    }
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      ETag: file.etag,
      // Chunks are named by content hash; the page and app.js revalidate.
      'Cache-Control': name.startsWith('chunk-') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(isIndex ? SECURITY_HEADERS : { 'X-Content-Type-Options': 'nosniff' }),
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }
}
