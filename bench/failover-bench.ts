// SPDX-License-Identifier: Apache-2.0
/**
 * Leader failover with upstream's default timings (15 s lease, 10 s renew
 * deadline, 2 s retry): two `skiff server --disable-agent` on a 3-member
 * etcd, SIGKILL the server holding kube-controller-manager, and measure from
 * the kill to (a) the survivor holding the lease and (b) the survivor acting
 * (a Deployment created right after the kill has its pod). The baseline is
 * the lease duration itself: a ratio near 1 means failover costs little more
 * than waiting for the dead holder's lease to expire, which is the floor.
 * Run: `npm run bench -- failover` (about a minute).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEtcdCluster } from '../test/harness/etcd-cluster.js';
import { startServer, type ServerHandle } from '../test/harness/server-harness.js';
import { waitFor } from '../test/harness/wait-for.js';

const LEASE_DURATION_MS = 15_000;
const SHARED_FILES = ['tls/ca.crt', 'tls/ca.key', 'tls/service-account.key', 'encryption/keys.json', 'token'];

async function holder(s: ServerHandle, lease: string): Promise<string> {
  const r = await s.request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease}`);
  return r.status === 200 ? ((JSON.parse(r.body) as { spec?: { holderIdentity?: string } }).spec?.holderIdentity ?? '') : '';
}

export async function runFailoverBench(): Promise<Record<string, number>> {
  const etcd = await startEtcdCluster({ size: 3 });
  let first: ServerHandle | undefined;
  let second: ServerHandle | undefined;
  try {
    const args = ['--datastore-endpoint', etcd.endpoints];
    first = await startServer({ args });
    const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
    for (const f of SHARED_FILES) {
      mkdirSync(join(dataDir, f, '..'), { recursive: true });
      copyFileSync(join(first.dataDir, f), join(dataDir, f));
    }
    second = await startServer({ args, dataDir });
    const identity = (s: ServerHandle) => `${hostname()}_${readFileSync(join(s.dataDir, 'server-identity'), 'utf8').trim()}`;
    const survivor = second;
    await waitFor('the first server to lead', async () => (await holder(survivor, 'kube-controller-manager')) === identity(first!), 60_000, 100);
    await survivor.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'failover' } });
    const killed = performance.now();
    await first.kill();
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'after-kill' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    await survivor.request('POST', '/apis/apps/v1/namespaces/failover/deployments', deployment);
    let leaseMs = 0;
    await waitFor('the survivor to take the lease', async () => {
      if ((await holder(survivor, 'kube-controller-manager')) !== identity(survivor)) return false;
      leaseMs = performance.now() - killed;
      return true;
    }, 120_000, 50);
    let actingMs = 0;
    await waitFor('the survivor to act', async () => {
      const r = await survivor.request('GET', '/api/v1/namespaces/failover/pods');
      if ((JSON.parse(r.body) as { items: unknown[] }).items.length === 0) return false;
      actingMs = performance.now() - killed;
      return true;
    }, 120_000, 50);
    return {
      leaseDurationMs: LEASE_DURATION_MS,
      killToNewLeaseHolderMs: leaseMs,
      killToNewLeaderActingMs: actingMs,
      'killToNewLeaderActingMs.ratio': actingMs / LEASE_DURATION_MS,
    };
  } finally {
    await second?.stop();
    await first?.stop();
    await etcd.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runFailoverBench().then((figures) => {
    for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(40)} ${v.toFixed(2)}`);
  });
}
