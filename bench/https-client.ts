// SPDX-License-Identifier: Apache-2.0
/**
 * The HTTPS client side of the API server benchmark: keep-alive connections
 * with the admin client certificate, a pool of concurrent callers that
 * records each request's latency, and the failure count of a run.
 */
import { Agent, request } from 'node:https';
import { gunzipSync } from 'node:zlib';

/** Creds is what a client needs to reach a server: its URL, CA and the client certificate. */
export interface Creds {
  url: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** warm opens n keep-alive connections (one request each, all in flight at once). */
export async function warm(call: (method: string, path: string) => Promise<unknown>, n = 50): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => call('GET', '/readyz')));
}

/**
 * client sends requests over a keep-alive agent. A request that fails with
 * ECONNRESET on a reused socket is sent once more on a fresh one: the server
 * may close an idle connection just as the request goes out, and Go's
 * transport (what client-go uses) retries that case too. Any other failure
 * resolves with status 0, so a phase counts errors instead of ending the run.
 */
export function client(creds: Creds, maxSockets = 50) {
  const agent = new Agent({ keepAlive: true, maxSockets, ca: creds.ca, cert: creds.cert, key: creds.key });
  const once = (method: string, path: string, data: Buffer | undefined, extra: Record<string, string>): Promise<{ status: number; text: string; wireBytes?: number; error?: string; retry?: boolean }> =>
    new Promise((res) => {
      const headers = { ...(data ? { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json', 'Content-Length': data.length } : {}), ...extra };
      const req = request(new URL(path, creds.url), { method, agent, headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const wire = Buffer.concat(chunks);
          const body = r.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
          res({ status: r.statusCode ?? 0, text: body.toString(), wireBytes: wire.length });
        });
        r.on('error', (err) => res({ status: 0, text: '', error: err.message }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => res({ status: 0, text: '', error: `${err.code ?? ''} ${err.message}`, retry: req.reusedSocket && err.code === 'ECONNRESET' }));
      if (data) req.write(data);
      req.end();
    });
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; wireBytes?: number; error?: string }> => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const first = await once(method, path, data, headers);
    return first.retry ? once(method, path, data, headers) : first;
  };
}

/** failures counts answers that are transport errors (status 0) or server errors (5xx). */
let failures = 0;

export function resetFailures(): void {
  failures = 0;
}

export function failureCount(): number {
  return failures;
}

function counted<T extends { status: number }>(r: T): T {
  if (r.status === 0 || r.status >= 500) failures++;
  return r;
}

export async function concurrent(n: number, total: number, op: (i: number) => Promise<unknown>): Promise<{ lat: number[]; seconds: number }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        const r = await op(i);
        if (r && typeof r === 'object' && 'status' in r) counted(r as { status: number });
        lat.push(performance.now() - s);
      }
    }),
  );
  return { lat, seconds: (performance.now() - t0) / 1000 };
}

