// SPDX-License-Identifier: Apache-2.0
/**
 * Two `skiff server --disable-agent` processes on one 3-member etcd: both
 * serve the API and list themselves behind the `kubernetes` Service; only
 * the holder of kube-system/kube-controller-manager and kube-scheduler acts.
 * SIGKILL the holder under concurrent writes: every acknowledged write is
 * readable through the survivor, which takes both leases and acts, and the
 * dead server drops out of the endpoints when its lease expires.
 *
 * The second server gets the first one's cluster secrets (CA, service
 * account key, encryption key) with `--server URL --token-file FIRST/token`:
 * it pins the CA by the token's hash and fetches them with the server token.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcdCluster, type EtcdCluster } from '../harness/etcd-cluster.js';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';
import { HttpClient, loadKubeconfig } from '../../src/client/http-client.js';
import { R } from '../../src/client/client.js';
import { refreshAPIServers } from '../../src/agent/index.js';

// Short leases so the test waits seconds, not the default 15 s.
const ELECTION = ['--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '500ms'];
const SHARED_FILES = ['tls/ca.crt', 'tls/ca.key', 'tls/service-account.key', 'encryption/keys.json'];

let etcd: EtcdCluster;
let first: ServerHandle;
let second: ServerHandle;

function identityOf(s: ServerHandle): string {
  return `${hostname()}_${readFileSync(join(s.dataDir, 'server-identity'), 'utf8').trim()}`;
}

function holder(s: ServerHandle, lease: string): string {
  const r = s.kubectl(['get', 'lease', lease, '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']);
  return r.code === 0 ? r.stdout : '';
}

function endpointPorts(s: ServerHandle): string[] {
  const r = s.kubectl(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[*].ports[*].port}']);
  return r.code === 0 ? r.stdout.split(' ').filter(Boolean).sort() : [];
}

function podCount(s: ServerHandle, ns: string): number {
  const r = s.kubectl(['get', 'pods', '-n', ns, '-o', 'name']);
  return r.code === 0 ? r.stdout.trim().split('\n').filter(Boolean).length : -1;
}

describe('two API servers on one etcd', () => {
  before(async () => {
    etcd = await startEtcdCluster({ size: 3 });
    const args = ['--datastore-endpoint', etcd.endpoints, '--datastore-request-timeout', '5s', ...ELECTION];
    first = await startServer({ args });
    second = await startServer({ args: [...args, '--server', first.url, '--token-file', join(first.dataDir, 'token')] });
    for (const f of SHARED_FILES) assert.equal(readFileSync(join(second.dataDir, f), 'utf8'), readFileSync(join(first.dataDir, f), 'utf8'), `${f} fetched from the first server`);
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
    await etcd?.stop();
  });

  it('both serve and list themselves; only the lease holder runs the controllers and scheduler', async () => {
    const ports = [new URL(first.url).port, new URL(second.url).port].sort();
    await waitFor('both servers in the kubernetes endpoints', () => JSON.stringify(endpointPorts(second)) === JSON.stringify(ports), 60_000, 250);
    assert.equal(holder(second, 'kube-controller-manager'), identityOf(first));
    assert.equal(holder(first, 'kube-scheduler'), identityOf(first));
    assert.match(second.logs(), /kube-controller-manager: the leader is /);
    assert.doesNotMatch(second.logs(), /kube-controller-manager: leading/);
    second.kubectlOk(['create', 'namespace', 'ha']);
    second.kubectlOk(['create', 'deployment', 'before', '-n', 'ha', '--image=busybox', '--replicas=2']);
    await waitFor('the leader to create the pods', () => podCount(first, 'ha') === 2, 60_000);
  });

  it('admission policy written through one server applies on the other (its cached lists follow the store)', async () => {
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    // The second server reads (and caches) the namespace's LimitRanges on this create: there are none yet.
    assert.equal((await second.request('POST', '/api/v1/namespaces/ha/pods', pod('warm'))).status, 201);
    first.kubectlOk(['apply', '-n', 'ha', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults' },
      spec: { limits: [{ type: 'Container', default: { cpu: '250m' }, defaultRequest: { cpu: '100m' } }] },
    }) });
    let n = 0;
    const limit = await waitFor('the second server defaulting limits from the first server\'s LimitRange', async () => {
      const r = await second.request('POST', '/api/v1/namespaces/ha/pods', pod(`limited-${n++}`));
      const created = JSON.parse(r.body) as { spec: { containers: { resources?: { limits?: { cpu?: string } } }[] } };
      return created.spec.containers[0].resources?.limits?.cpu;
    }, 10_000, 100);
    assert.equal(limit, '250m');
    second.kubectlOk(['delete', 'pods', '-n', 'ha', 'warm', ...Array.from({ length: n }, (_, i) => `limited-${i}`)]);
    first.kubectlOk(['delete', 'limitrange', 'defaults', '-n', 'ha']);
  });

  it('SIGKILL the holder under writes: nothing acknowledged is lost, the survivor leads and drops the dead server', async () => {
    // A client that knows only the first server learns the second from the kubernetes endpoints (as an agent does).
    const agentClient = new HttpClient(loadKubeconfig(first.kubeconfig));
    const learned = await refreshAPIServers(agentClient);
    assert.equal(learned.length, 3, `the --server URL plus both servers by address: ${learned.join(', ')}`);
    assert.ok(learned.some((u) => u.endsWith(`:${new URL(second.url).port}`)));
    const acknowledged: string[] = [];
    let stopWriting = false;
    const writer = async (w: number) => {
      for (let i = 0; !stopWriting && i < 400; i++) {
        const r = await second.request('POST', '/api/v1/namespaces/ha/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w${w}-${i}` } });
        if (r.status === 201) acknowledged.push(`w${w}-${i}`);
      }
    };
    const writing = Promise.all([0, 1, 2, 3].map(writer));
    await waitFor('writes under way', () => acknowledged.length >= 20, 30_000, 20);
    await first.kill();
    await waitFor('the survivor to hold kube-controller-manager', () => holder(second, 'kube-controller-manager') === identityOf(second), 60_000, 250);
    await waitFor('the survivor to hold kube-scheduler', () => holder(second, 'kube-scheduler') === identityOf(second), 60_000, 250);
    stopWriting = true;
    await writing;
    const stored = new Set(second.kubectlOk(['get', 'configmaps', '-n', 'ha', '-o', 'jsonpath={.items[*].metadata.name}']).split(' '));
    for (const name of acknowledged) assert.ok(stored.has(name), `acknowledged ConfigMap ${name} is readable`);
    // The new leader acts: a deployment created now gets its pods.
    second.kubectlOk(['create', 'deployment', 'after', '-n', 'ha', '--image=busybox', '--replicas=3']);
    await waitFor('the new leader to create the pods', () => podCount(second, 'ha') === 5, 60_000);
    // The client that joined through the dead server is served by the survivor.
    assert.ok((await agentClient.list(R.namespaces)).items.some((n) => n.metadata.name === 'ha'));
    agentClient.close();
    await waitFor('the dead server to leave the endpoints', () => JSON.stringify(endpointPorts(second)) === JSON.stringify([new URL(second.url).port]), 60_000, 500);
  });
});
