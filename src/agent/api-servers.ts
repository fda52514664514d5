// SPDX-License-Identifier: Apache-2.0
/**
 * followAPIServers keeps an agent's list of API servers current, as k3s's
 * agent load balancer does: it reads the `default/kubernetes` Endpoints
 * (every live server, from the lease endpoint reconciler) now and then and
 * hands the addresses to the HttpClient, which fails over between them. An
 * agent that joined through a server that later died keeps working.
 */
import { R } from '../client/index.js';
import type { HttpClient } from '../client/index.js';
import type { KubeObject } from '../api/index.js';

type Endpoints = KubeObject & { subsets?: { addresses?: { ip: string }[]; ports?: { port: number }[] }[] };

/** apiServerURLs lists https://IP:PORT for every address of the kubernetes Endpoints. */
export function apiServerURLs(ep: Endpoints): string[] {
  const urls: string[] = [];
  for (const s of ep.subsets ?? []) {
    for (const port of s.ports ?? []) for (const a of s.addresses ?? []) urls.push(`https://${a.ip.includes(':') ? `[${a.ip}]` : a.ip}:${port.port}`);
  }
  return urls;
}

/**
 * refreshAPIServers reads the endpoints once and updates the client's list
 * (kept as is when none are listed), and the lists of the node's other
 * clients (its network identity's), which talk to the same servers.
 */
export async function refreshAPIServers(client: HttpClient, others: HttpClient[] = []): Promise<string[]> {
  const urls = apiServerURLs(await client.get<Endpoints>(R.endpoints, 'kubernetes', { namespace: 'default' }));
  if (urls.length > 0) for (const c of [client, ...others]) c.setServers(urls);
  return client.servers;
}

/** followAPIServers refreshes the list every intervalMs (default 30 s) until signal aborts. */
export function followAPIServers(client: HttpClient, signal: AbortSignal, log: (msg: string) => void, intervalMs = 30_000, others: HttpClient[] = []): void {
  let last = '';
  const tick = async () => {
    try {
      const servers = (await refreshAPIServers(client, others)).join(', ');
      if (servers !== last) log(`agent: API servers: ${servers}`);
      last = servers;
    } catch (err) {
      log(`agent: reading the API server list: ${(err as Error).message}`);
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
