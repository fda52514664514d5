// SPDX-License-Identifier: Apache-2.0
/**
 * /healthz, /livez and /readyz as upstream's healthz package serves them:
 * named checks, `ok` when all pass; on failure (or with ?verbose) one line
 * per check (`[+]etcd ok`, `[-]etcd failed: reason withheld`) and a final
 * `<endpoint> check failed` with status 500. Reasons are withheld from the
 * (anonymous) response and logged instead; /<endpoint>/<check> runs one check.
 * The storage check is named `etcd` whatever the backend, as k3s's kine does.
 */
import type { ServerResponse } from 'node:http';

/** HealthCheck throws (with the reason) when unhealthy. */
export interface HealthCheck {
  name: string;
  check(): Promise<void> | void;
}

export interface HealthEndpoints {
  /** Checks behind /livez (and /healthz, which is /readyz's set as upstream's legacy endpoint). */
  live: HealthCheck[];
  ready: HealthCheck[];
}

/** serveHealth answers a /healthz, /livez or /readyz request (path without query, verbose from ?verbose). */
export async function serveHealth(res: ServerResponse, path: string, verbose: boolean, checks: HealthEndpoints, log?: (msg: string) => void): Promise<void> {
  const [, endpoint = '', only] = path.split('/');
  const set = endpoint === 'livez' ? checks.live : checks.ready;
  const selected = only === undefined ? set : set.filter((c) => c.name === only);
  if (selected.length === 0) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    return void res.end('404 page not found\n');
  }
  const results = await Promise.all(
    selected.map(async (c) => {
      try {
        await c.check();
        return { name: c.name, ok: true };
      } catch (err) {
        log?.(`${endpoint} check ${c.name} failed: ${(err as Error).message}`);
        return { name: c.name, ok: false };
      }
    }),
  );
  const ok = results.every((r) => r.ok);
  const lines = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
  const body = !ok ? `${lines.join('\n')}\n${endpoint} check failed` : verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok';
  res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

/** apiServerHealthChecks are upstream's check names: `ping` always passes, `etcd` reads the store with a quorum, and readiness waits for bootstrap. */
export function apiServerHealthChecks(storeHealth: () => Promise<void> | void, bootstrapped: () => boolean): HealthEndpoints {
  return {
    live: [{ name: 'ping', check: () => undefined }],
    ready: [
      { name: 'ping', check: () => undefined },
      { name: 'etcd', check: storeHealth },
      {
        name: 'skiff-bootstrap',
        check: () => {
          if (!bootstrapped()) throw new Error('bootstrap objects are not created yet');
        },
      },
    ],
  };
}
