// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff server --datastore-endpoint` on an external etcd: three Debian etcd
 * processes on loopback ports form a 3-member cluster; the real kubectl
 * works against the server; `etcdctl get --prefix /registry/...` shows the
 * objects (Secrets sealed); without quorum writes fail with a 503 that says
 * why and /readyz fails its etcd check; with quorum back both recover alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcdCluster, type EtcdCluster } from '../harness/etcd-cluster.js';
import { SKIFF_BIN, startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';

let etcd: EtcdCluster;
let s: ServerHandle;

function etcdctl(...args: string[]): string {
  const r = spawnSync('etcdctl', ['--endpoints', etcd.endpoints, '--command-timeout=10s', ...args], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } });
  if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('skiff server on an external 3-member etcd', () => {
  before(async () => {
    etcd = await startEtcdCluster({ size: 3 });
    s = await startServer({ args: ['--datastore-endpoint', etcd.endpoints, '--datastore-request-timeout', '3s'] });
  });
  after(async () => {
    await s?.stop();
    await etcd?.stop();
  });

  it('serves kubectl, and etcdctl sees the objects under /registry with Secrets encrypted', async () => {
    s.kubectlOk(['create', 'namespace', 'ha']);
    s.kubectlOk(['create', 'configmap', 'settings', '-n', 'ha', '--from-literal=colour=teal']);
    s.kubectlOk(['create', 'secret', 'generic', 'creds', '-n', 'ha', '--from-literal=password=hunter2-plaintext']);
    s.kubectlOk(['create', 'deployment', 'web', '-n', 'ha', '--image=busybox', '--replicas=2']);
    assert.equal(s.kubectlOk(['get', 'configmap', 'settings', '-n', 'ha', '-o', 'jsonpath={.data.colour}']), 'teal');
    // The controllers watch through etcd: the deployment's ReplicaSet and pods appear.
    await waitFor('the deployment to create 2 pods', () => s.kubectlOk(['get', 'pods', '-n', 'ha', '-o', 'name']).trim().split('\n').filter(Boolean).length === 2, 60_000);
    const rv = Number(s.kubectlOk(['get', 'configmap', 'settings', '-n', 'ha', '-o', 'jsonpath={.metadata.resourceVersion}']));
    const stored = JSON.parse(etcdctl('get', '/registry/configmaps/ha/settings', '-w', 'json')) as { kvs: { mod_revision: number; value: string }[] };
    assert.equal(stored.kvs[0]!.mod_revision, rv, 'resourceVersion is the etcd revision');
    assert.match(Buffer.from(stored.kvs[0]!.value, 'base64').toString(), /"colour":"teal"/);
    const keys = etcdctl('get', '--prefix', '/registry/', '--keys-only').split('\n').filter(Boolean);
    for (const k of ['/registry/namespaces/ha', '/registry/configmaps/ha/settings', '/registry/secrets/ha/creds', '/registry/apps/deployments/ha/web']) assert.ok(keys.includes(k), `${k} in etcd`);
    const secret = etcdctl('get', '/registry/secrets/ha/creds', '--print-value-only');
    assert.ok(secret.startsWith('k8s:enc:aesgcm:v1:'), 'the Secret is sealed at rest');
    assert.ok(!secret.includes('hunter2') && !secret.includes(Buffer.from('hunter2-plaintext').toString('base64')));
    assert.equal(s.kubectlOk(['get', 'secret', 'creds', '-n', 'ha', '-o', 'jsonpath={.data.password}']), Buffer.from('hunter2-plaintext').toString('base64'));
    const ready = await s.request('GET', '/readyz?verbose');
    assert.equal(ready.status, 200);
    assert.match(ready.body, /\[\+\]etcd ok/);
  });

  it('without quorum writes fail with a 503 that names etcd and /readyz fails; with quorum back both recover', async () => {
    await etcd.kill(1);
    await etcd.kill(2);
    const r = s.kubectl(['create', 'configmap', 'lost', '-n', 'ha', '--from-literal=a=b']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /storage is unavailable: etcd at http:\/\/127\.0\.0\.1:\d+ is unavailable: (no answer within 3s|etcdserver: request timed out|etcdserver: no leader) \(etcd serves only while a majority of its members are up\)/);
    const raw = await s.request('POST', '/api/v1/namespaces/ha/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lost2' } });
    assert.equal(raw.status, 503);
    assert.equal(JSON.parse(raw.body).reason, 'ServiceUnavailable');
    const notReady = await s.request('GET', '/readyz');
    assert.equal(notReady.status, 500);
    assert.match(notReady.body, /\[-\]etcd failed: reason withheld\n[^]*readyz check failed$/);
    await etcd.start(1);
    await waitFor('/readyz to pass again', async () => (await s.request('GET', '/readyz')).status === 200, 60_000, 500);
    s.kubectlOk(['create', 'configmap', 'back', '-n', 'ha', '--from-literal=a=b']);
    const names = s.kubectlOk(['get', 'configmaps', '-n', 'ha', '-o', 'name']);
    assert.match(names, /configmap\/back/);
    assert.doesNotMatch(names, /configmap\/lost/);
    // Watches resumed too: scaling the deployment still reaches the pods.
    s.kubectlOk(['scale', 'deployment', 'web', '-n', 'ha', '--replicas=3']);
    await waitFor('the deployment to have 3 pods', () => s.kubectlOk(['get', 'pods', '-n', 'ha', '-o', 'name']).trim().split('\n').filter(Boolean).length === 3, 60_000);
  });

  it('skiff etcd-snapshot save backs up the cluster; a server on an etcd restored from it has every object', async () => {
    const file = join(s.dataDir, 'backup.db');
    const saved = spawnSync(process.execPath, [SKIFF_BIN, 'etcd-snapshot', 'save', '--datastore-endpoint', etcd.endpoints, '--file', file], { encoding: 'utf8' });
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /Snapshot saved to .*backup\.db \(\d+ bytes\)/);
    const restored = await startEtcdCluster({ restoreFrom: file });
    let other: ServerHandle | undefined;
    try {
      // The restored cluster's Secrets are sealed with this cluster's key: the new server gets the cluster's secrets.
      const dataDir = mkdtempSync(join(tmpdir(), 'skiff-test-'));
      for (const f of ['tls/ca.crt', 'tls/ca.key', 'tls/service-account.key', 'encryption/keys.json']) {
        mkdirSync(join(dataDir, f, '..'), { recursive: true });
        copyFileSync(join(s.dataDir, f), join(dataDir, f));
      }
      other = await startServer({ dataDir, args: ['--datastore-endpoint', restored.endpoints] });
      assert.equal(other.kubectlOk(['get', 'configmap', 'settings', '-n', 'ha', '-o', 'jsonpath={.data.colour}']), 'teal');
      assert.match(other.kubectlOk(['get', 'configmaps', '-n', 'ha', '-o', 'name']), /configmap\/back/);
      assert.equal(other.kubectlOk(['get', 'secret', 'creds', '-n', 'ha', '-o', 'jsonpath={.data.password}']), Buffer.from('hunter2-plaintext').toString('base64'));
    } finally {
      await other?.stop();
      await restored.stop();
    }
  });
});
