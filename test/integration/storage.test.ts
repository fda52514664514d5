// SPDX-License-Identifier: Apache-2.0
/**
 * Persistent storage against a real `skiff server --simulated-nodes 2` with
 * the real kubectl: the default local-path class and WaitForFirstConsumer,
 * static volumes, protection finalizers, reclaim, expansion, the
 * scheduler's volume messages, and Secrets encrypted at rest. One
 * namespace per test; PVs are cluster-wide, so each test names its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

let s: ServerHandle;

async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function jsonpath(ns: string, what: string, path: string): string {
  const args = ['get', what, '-o', `jsonpath=${path}`];
  if (ns) args.push('-n', ns);
  const r = s.kubectl(args);
  return r.code === 0 ? r.stdout : '';
}

function apply(ns: string, yaml: string): void {
  s.kubectlOk(['apply', '-n', ns, '-f', '-'], { input: yaml });
}

function claim(name: string, o: { size?: string; cls?: string; modes?: string } = {}): string {
  const cls = o.cls === undefined ? '' : `\n  storageClassName: "${o.cls}"`;
  return `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [${o.modes ?? 'ReadWriteOnce'}]
  resources: {requests: {storage: ${o.size ?? '1Gi'}}}${cls}
---
`;
}

function podUsing(name: string, claimName: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
${extra}  containers: [{name: c, image: busybox}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: ${claimName}}}]
---
`;
}

function hostPathPV(name: string, o: { size?: string; policy?: string; path?: string } = {}): string {
  return `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  capacity: {storage: ${o.size ?? '5Gi'}}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  persistentVolumeReclaimPolicy: ${o.policy ?? 'Retain'}
  hostPath: {path: ${o.path ?? `/tmp/skiff-test-${name}`}}
---
`;
}

before(async () => {
  s = await startServer({ args: ['--simulated-nodes', '2'] });
  await waitFor('two Ready nodes', () => jsonpath('', 'nodes', '{.items[*].status.conditions[?(@.type=="Ready")].status}') === 'True True');
});

after(async () => {
  await s?.stop();
});

describe('storage', () => {
  it('serves the default local-path StorageClass', () => {
    const out = s.kubectlOk(['get', 'sc']);
    assert.match(out, /local-path \(default\)\s+skiff\.dev\/local-path\s+Delete\s+WaitForFirstConsumer\s+true/);
  });

  it('keeps a default-class claim Pending until a pod uses it, then binds a provisioned PV on the pod\'s node', async () => {
    s.kubectlOk(['create', 'ns', 'wffc']);
    apply('wffc', claim('data'));
    assert.equal(jsonpath('wffc', 'pvc/data', '{.spec.storageClassName}'), 'local-path');
    await waitFor('WaitForFirstConsumer event', () => /WaitForFirstConsumer\s+.*waiting for first consumer to be created before binding/.test(s.kubectl(['describe', 'pvc', 'data', '-n', 'wffc']).stdout));
    assert.equal(jsonpath('wffc', 'pvc/data', '{.status.phase}'), 'Pending');
    apply('wffc', podUsing('p', 'data'));
    await waitFor('claim Bound', () => jsonpath('wffc', 'pvc/data', '{.status.phase}') === 'Bound');
    const pv = jsonpath('wffc', 'pvc/data', '{.spec.volumeName}');
    const uid = jsonpath('wffc', 'pvc/data', '{.metadata.uid}');
    assert.equal(pv, `pvc-${uid}`);
    await waitFor('pod on a node', () => jsonpath('wffc', 'pod/p', '{.spec.nodeName}') !== '');
    const nodeName = jsonpath('wffc', 'pod/p', '{.spec.nodeName}');
    assert.equal(jsonpath('', `pv/${pv}`, '{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}'), nodeName);
    assert.equal(jsonpath('wffc', 'pvc/data', '{.metadata.annotations.volume\\.kubernetes\\.io/selected-node}'), nodeName);
    const dir = jsonpath('', `pv/${pv}`, '{.spec.hostPath.path}');
    assert.equal(dir, join(s.dataDir, 'storage', `${pv}_wffc_data`));
    assert.ok(existsSync(dir));
    assert.match(s.kubectlOk(['describe', 'pvc', 'data', '-n', 'wffc']), /ProvisioningSucceeded\s+.*Successfully provisioned volume pvc-/);
    // Expansion: the class allows it and a directory resizes for free.
    s.kubectlOk(['patch', 'pvc', 'data', '-n', 'wffc', '-p', '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}']);
    await waitFor('claim capacity 3Gi', () => jsonpath('wffc', 'pvc/data', '{.status.capacity.storage}') === '3Gi');
    assert.equal(jsonpath('', `pv/${pv}`, '{.spec.capacity.storage}'), '3Gi');
    // Deleting a claim in use waits for its pod; then reclaim Delete removes the PV and the directory.
    s.kubectlOk(['delete', 'pvc', 'data', '-n', 'wffc', '--wait=false']);
    await new Promise((r) => setTimeout(r, 1000));
    assert.match(s.kubectlOk(['get', 'pvc', 'data', '-n', 'wffc']), /Terminating/);
    assert.deepEqual(jsonpath('wffc', 'pvc/data', '{.metadata.finalizers}'), '["kubernetes.io/pvc-protection"]');
    s.kubectlOk(['delete', 'pod', 'p', '-n', 'wffc', '--grace-period=0', '--force']);
    await waitFor('claim gone', () => s.kubectl(['get', 'pvc', 'data', '-n', 'wffc']).code !== 0);
    await waitFor('PV gone', () => s.kubectl(['get', 'pv', pv]).code !== 0);
    assert.equal(existsSync(dir), false);
  });

  it('binds a static hostPath PV by class, size and access modes, and Retain keeps it Released', async () => {
    s.kubectlOk(['create', 'ns', 'static']);
    s.kubectlOk(['apply', '-f', '-'], { input: hostPathPV('static-small', { size: '1Gi' }) + hostPathPV('static-fit', { size: '5Gi' }) });
    apply('static', claim('st', { size: '2Gi', cls: '' }));
    await waitFor('claim Bound', () => jsonpath('static', 'pvc/st', '{.status.phase}') === 'Bound');
    assert.equal(jsonpath('static', 'pvc/st', '{.spec.volumeName}'), 'static-fit');
    assert.equal(jsonpath('static', 'pvc/st', '{.status.capacity.storage}'), '5Gi');
    assert.equal(jsonpath('', 'pv/static-fit', '{.metadata.annotations.pv\\.kubernetes\\.io/bound-by-controller}'), 'yes');
    assert.equal(jsonpath('', 'pv/static-fit', '{.metadata.finalizers}'), '["kubernetes.io/pv-protection"]');
    assert.match(s.kubectlOk(['get', 'pv', 'static-fit']), /static-fit\s+5Gi\s+RWO\s+Retain\s+Bound\s+static\/st/);
    s.kubectlOk(['delete', 'pvc', 'st', '-n', 'static']);
    await waitFor('PV Released', () => jsonpath('', 'pv/static-fit', '{.status.phase}') === 'Released');
    s.kubectlOk(['delete', 'pv', 'static-fit', 'static-small']);
  });

  it('reclaim Delete removes a released static PV object', async () => {
    s.kubectlOk(['create', 'ns', 'reclaim']);
    s.kubectlOk(['apply', '-f', '-'], { input: hostPathPV('reclaim-del', { policy: 'Delete' }) });
    apply('reclaim', claim('c', { cls: '' }));
    await waitFor('claim Bound', () => jsonpath('reclaim', 'pvc/c', '{.status.phase}') === 'Bound');
    s.kubectlOk(['delete', 'pvc', 'c', '-n', 'reclaim']);
    await waitFor('PV deleted', () => s.kubectl(['get', 'pv', 'reclaim-del']).code !== 0);
  });

  it('leaves a claim nothing can satisfy Pending with an event saying why', async () => {
    s.kubectlOk(['create', 'ns', 'unsat']);
    apply('unsat', claim('huge', { size: '100Ti', cls: '' }) + claim('nocls', { cls: 'does-not-exist' }));
    await waitFor('FailedBinding event', () => /FailedBinding\s+.*no persistent volumes available for this claim and no storage class is set/.test(s.kubectl(['describe', 'pvc', 'huge', '-n', 'unsat']).stdout));
    await waitFor('ProvisioningFailed event', () => /ProvisioningFailed\s+.*storageclass\.storage\.k8s\.io "does-not-exist" not found/.test(s.kubectl(['describe', 'pvc', 'nocls', '-n', 'unsat']).stdout));
    assert.equal(jsonpath('unsat', 'pvc/huge', '{.status.phase}'), 'Pending');
    const r = s.kubectl(['patch', 'pvc', 'huge', '-n', 'unsat', '-p', '{"spec":{"resources":{"requests":{"storage":"200Ti"}}}}']);
    assert.notEqual(r.code, 0);
  });

  it('keeps a pod whose claim is missing Pending with the upstream message', async () => {
    s.kubectlOk(['create', 'ns', 'missing']);
    apply('missing', podUsing('p', 'x'));
    await waitFor('FailedScheduling', () => /persistentvolumeclaim "x" not found/.test(s.kubectl(['describe', 'pod', 'p', '-n', 'missing']).stdout));
    assert.equal(jsonpath('missing', 'pod/p', '{.status.phase}'), 'Pending');
    assert.equal(jsonpath('missing', 'pod/p', '{.spec.nodeName}'), '');
  });

  it('does not start a second pod of a ReadWriteOnce claim on another node', async () => {
    s.kubectlOk(['create', 'ns', 'rwo']);
    s.kubectlOk(['apply', '-f', '-'], { input: hostPathPV('rwo-pv') });
    apply('rwo', claim('shared', { cls: '' }));
    await waitFor('claim Bound', () => jsonpath('rwo', 'pvc/shared', '{.status.phase}') === 'Bound');
    apply('rwo', podUsing('a', 'shared', '  nodeSelector: {kubernetes.io/hostname: skiff-sim-0}\n'));
    await waitFor('first pod Running', () => jsonpath('rwo', 'pod/a', '{.status.phase}') === 'Running');
    apply('rwo', podUsing('b', 'shared', '  nodeSelector: {kubernetes.io/hostname: skiff-sim-1}\n'));
    await waitFor('second pod unschedulable', () => /ReadWriteOnce PersistentVolumeClaim in use on another node/.test(s.kubectl(['describe', 'pod', 'b', '-n', 'rwo']).stdout));
    assert.equal(jsonpath('rwo', 'pod/b', '{.spec.nodeName}'), '');
    s.kubectlOk(['delete', 'ns', 'rwo', '--wait=false']);
  });

  it('stores Secrets encrypted: the value is not in the database file, and reads return it', () => {
    s.kubectlOk(['create', 'ns', 'enc']);
    const value = 'skiff-plaintext-canary-7f3a9c';
    s.kubectlOk(['create', 'secret', 'generic', 's', '-n', 'enc', `--from-literal=k=${value}`]);
    assert.equal(Buffer.from(jsonpath('enc', 'secret/s', '{.data.k}'), 'base64').toString(), value);
    const dbDir = join(s.dataDir, 'db');
    const bytes = Buffer.concat(readdirSync(dbDir).map((f) => readFileSync(join(dbDir, f))));
    assert.equal(bytes.includes(value), false, 'plaintext found in the database');
    assert.equal(bytes.includes(Buffer.from(value).toString('base64')), false, 'base64 of the value found in the database');
    assert.ok(bytes.includes('k8s:enc:aesgcm:v1:key1:'), 'no encrypted value found in the database');
    assert.ok(existsSync(join(s.dataDir, 'encryption', 'keys.json')));
  });
});
