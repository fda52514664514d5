// SPDX-License-Identifier: Apache-2.0
/**
 * API semantics through raw HTTPS and @kubernetes/client-node: authentication,
 * resourceVersion and conflicts, generateName, generation, finalizers,
 * graceful deletion, paging, watch from a resourceVersion with bookmarks,
 * dry run, field validation, error shapes, and durability across kill -9.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

let s: ServerHandle;

async function json(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const r = await s.request(method, path, body, headers);
  return { status: r.status, headers: r.headers, body: r.body ? JSON.parse(r.body) : undefined };
}

const cm = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

describe('API semantics', () => {
  before(async () => {
    s = await startServer();
    await json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sem' } });
  });
  after(async () => {
    await s?.stop();
  });

  it('refuses requests without credentials and serves health anonymously', async () => {
    const anon = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(new URL(path, s.url), { rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await anon('/api/v1/namespaces'), 401);
    assert.equal(await anon('/readyz'), 200);
    assert.equal(await anon('/version'), 200);
    const bad = await json('GET', '/api/v1/pods', undefined, { Authorization: 'Bearer nope' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.reason, 'Unauthorized');
  });

  it('keeps optimistic concurrency with resourceVersion', async () => {
    const created = await json('POST', '/api/v1/namespaces/sem/configmaps', cm('occ'));
    assert.equal(created.status, 201);
    const rv = created.body.metadata.resourceVersion;
    const upd = await json('PUT', '/api/v1/namespaces/sem/configmaps/occ', { ...created.body, data: { a: '2' } });
    assert.equal(upd.status, 200);
    assert.ok(Number(upd.body.metadata.resourceVersion) > Number(rv));
    const stale = await json('PUT', '/api/v1/namespaces/sem/configmaps/occ', { ...created.body, data: { a: '3' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    const dup = await json('POST', '/api/v1/namespaces/sem/configmaps', cm('occ'));
    assert.equal(dup.status, 409);
    assert.equal(dup.body.reason, 'AlreadyExists');
    assert.equal(dup.body.message, 'configmaps "occ" already exists');
    const missing = await json('GET', '/api/v1/namespaces/sem/configmaps/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'configmaps "nope" not found');
  });

  it('generates names and tracks generation on spec changes only', async () => {
    const r = await json('POST', '/api/v1/namespaces/sem/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    assert.equal(r.status, 201);
    assert.match(r.body.metadata.name, /^gen-[a-z0-9]{5}$/);
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'g' },
      spec: { selector: { matchLabels: { app: 'g' } }, template: { metadata: { labels: { app: 'g' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    const c = await json('POST', '/apis/apps/v1/namespaces/sem/deployments', d);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(c.body.metadata.generation, 1);
    const labelled = await json('PATCH', '/apis/apps/v1/namespaces/sem/deployments/g', { metadata: { labels: { x: 'y' } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(labelled.body.metadata.generation, 1);
    const scaled = await json('PATCH', '/apis/apps/v1/namespaces/sem/deployments/g', { spec: { replicas: 5 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(scaled.body.metadata.generation, 2);
    // Unconditional (no resourceVersion): the deployment controller writes status concurrently.
    const statusBody = { ...scaled.body, metadata: { ...scaled.body.metadata, resourceVersion: undefined }, spec: { ...scaled.body.spec, replicas: 1 }, status: { replicas: 7 } };
    const status = await json('PUT', '/apis/apps/v1/namespaces/sem/deployments/g/status', statusBody);
    assert.equal(status.status, 200);
    assert.equal(status.body.status.replicas, 7);
    assert.equal(status.body.spec.replicas, 5, 'a status write does not change spec');
    const scale = await json('GET', '/apis/apps/v1/namespaces/sem/deployments/g/scale');
    assert.equal(scale.body.kind, 'Scale');
    assert.equal(scale.body.spec.replicas, 5);
    assert.equal(scale.body.status.selector, 'app=g');
  });

  it('holds objects with finalizers until the finalizers are removed', async () => {
    await json('POST', '/api/v1/namespaces/sem/configmaps', { ...cm('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    // Upstream answers 200 with the held object (202 only for the deprecated orphanDependents=false).
    const del = await json('DELETE', '/api/v1/namespaces/sem/configmaps/fin');
    assert.equal(del.status, 200);
    assert.ok(del.body.metadata.deletionTimestamp);
    const again = await json('DELETE', '/api/v1/namespaces/sem/configmaps/fin', { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: false });
    assert.equal(again.status, 202);
    const still = await json('GET', '/api/v1/namespaces/sem/configmaps/fin');
    assert.equal(still.status, 200);
    const released = await json('PATCH', '/api/v1/namespaces/sem/configmaps/fin', [{ op: 'remove', path: '/metadata/finalizers' }], { 'Content-Type': 'application/json-patch+json' });
    assert.equal(released.status, 200);
    assert.equal((await json('GET', '/api/v1/namespaces/sem/configmaps/fin')).status, 404);
  });

  it('a delete that removes the object answers a Success Status, or the object for kinds that return it (upstream ReturnDeletedObject)', async () => {
    const created = await json('POST', '/api/v1/namespaces/sem/configmaps', cm('gone'));
    const del = await json('DELETE', '/api/v1/namespaces/sem/configmaps/gone');
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'gone', kind: 'configmaps', uid: created.body.metadata.uid } });
    await json('POST', '/apis/apps/v1/namespaces/sem/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gone' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    const dep = await json('DELETE', '/apis/apps/v1/namespaces/sem/deployments/gone');
    assert.equal(dep.body.details.group, 'apps');
    assert.equal(dep.body.details.kind, 'deployments');
    await json('POST', '/api/v1/namespaces/sem/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gone' } });
    const sa = await json('DELETE', '/api/v1/namespaces/sem/serviceaccounts/gone');
    assert.equal(sa.body.kind, 'ServiceAccount');
  });

  it('deletes scheduled pods gracefully and unscheduled ones at once', async () => {
    const pod = (name: string, nodeName?: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
    });
    await json('POST', '/api/v1/namespaces/sem/pods', pod('unsched'));
    const d1 = await json('DELETE', '/api/v1/namespaces/sem/pods/unsched');
    assert.equal(d1.status, 200);
    await json('POST', '/api/v1/namespaces/sem/pods', pod('sched', 'node-a'));
    const d2 = await json('DELETE', '/api/v1/namespaces/sem/pods/sched');
    assert.equal(d2.status, 200);
    assert.equal(d2.body.metadata.deletionGracePeriodSeconds, 30);
    const d3 = await json('DELETE', '/api/v1/namespaces/sem/pods/sched', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
    assert.equal(d3.status, 200);
    assert.equal((await json('GET', '/api/v1/namespaces/sem/pods/sched')).status, 404);
  });

  it('pages lists with limit and continue at one resourceVersion', async () => {
    await json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
    for (let i = 0; i < 7; i++) await json('POST', '/api/v1/namespaces/paging/configmaps', cm(`p${i}`));
    const first = await json('GET', '/api/v1/namespaces/paging/configmaps?limit=3');
    assert.equal(first.body.items.length, 3);
    assert.ok(first.body.metadata.continue);
    await json('POST', '/api/v1/namespaces/paging/configmaps', cm('p9-late'));
    const second = await json('GET', `/api/v1/namespaces/paging/configmaps?limit=3&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    const third = await json('GET', `/api/v1/namespaces/paging/configmaps?limit=3&continue=${encodeURIComponent(second.body.metadata.continue)}`);
    // Every namespace also holds the root CA publisher's kube-root-ca.crt, made when the controller gets to it.
    const names = [...first.body.items, ...second.body.items, ...third.body.items].map((i: { metadata: { name: string } }) => i.metadata.name).filter((n: string) => n !== 'kube-root-ca.crt');
    assert.deepEqual(names, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    assert.equal(third.body.metadata.continue, undefined);
    const bad = await json('GET', '/api/v1/namespaces/paging/configmaps?limit=3&continue=garbage');
    assert.equal(bad.status, 400);
  });

  it('watches from a resourceVersion with bookmarks via client-node', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'watching' } } });
    const list = await core.listNamespacedConfigMap({ namespace: 'watching' });
    const rv = list.metadata?.resourceVersion;
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const done = new Promise<void>((resolve, reject) => {
      void watch
        .watch(
          '/api/v1/namespaces/watching/configmaps',
          { resourceVersion: rv, allowWatchBookmarks: true },
          (type: string, obj: { metadata?: { name?: string } }) => {
            seen.push(`${type}:${obj.metadata?.name}`);
            if (type === 'DELETED') resolve();
          },
          (err: unknown) => (err ? reject(err) : undefined),
        )
        .then((req) => setTimeout(() => req.abort(), 15_000));
    });
    await new Promise((r) => setTimeout(r, 200));
    await core.createNamespacedConfigMap({ namespace: 'watching', body: { metadata: { name: 'w1' }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ namespace: 'watching', name: 'w1', body: [{ op: 'add', path: '/data/b', value: '2' }] });
    await core.deleteNamespacedConfigMap({ namespace: 'watching', name: 'w1' });
    await done;
    assert.deepEqual(seen.filter((e) => !e.startsWith('BOOKMARK')), ['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1']);
  });

  it('gives pods their service account and its imagePullSecrets', async () => {
    await json('POST', '/api/v1/namespaces/sem/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller' }, imagePullSecrets: [{ name: 'regcred' }] });
    const pod = (name: string, extra: object = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra } });
    const withSA = await json('POST', '/api/v1/namespaces/sem/pods', pod('sa-pull', { serviceAccountName: 'puller' }));
    assert.deepEqual(withSA.body.spec.imagePullSecrets, [{ name: 'regcred' }]);
    const own = await json('POST', '/api/v1/namespaces/sem/pods', pod('own-pull', { serviceAccountName: 'puller', imagePullSecrets: [{ name: 'mine' }] }));
    assert.deepEqual(own.body.spec.imagePullSecrets, [{ name: 'mine' }]);
    const plain = await json('POST', '/api/v1/namespaces/sem/pods', pod('default-sa'));
    assert.equal(plain.body.spec.serviceAccountName, 'default');
  });

  it('supports dry run and field validation', async () => {
    const dry = await json('POST', '/api/v1/namespaces/sem/configmaps?dryRun=All', cm('dry'));
    assert.equal(dry.status, 201);
    assert.equal((await json('GET', '/api/v1/namespaces/sem/configmaps/dry')).status, 404);
    const strict = await json('POST', '/api/v1/namespaces/sem/configmaps?fieldValidation=Strict', { ...cm('strict'), bogus: 1 });
    assert.equal(strict.status, 400);
    assert.match(strict.body.message, /strict decoding error: unknown field "bogus"/);
    const warn = await json('POST', '/api/v1/namespaces/sem/configmaps?fieldValidation=Warn', { ...cm('warned'), bogus: 1 });
    assert.equal(warn.status, 201);
    assert.match(String(warn.headers.warning), /^299 - "unknown field \\"bogus\\""$/);
  });

  it('answers bad input with Status objects and writes nothing', async () => {
    const malformed = await s.request('POST', '/api/v1/namespaces/sem/configmaps', '{"metadata": {', { 'Content-Type': 'application/json' });
    assert.equal(malformed.status, 400);
    assert.equal(JSON.parse(malformed.body).kind, 'Status');
    const wrongKind = await json('POST', '/api/v1/namespaces/sem/configmaps', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } });
    assert.equal(wrongKind.status, 400);
    const media = await s.request('POST', '/api/v1/namespaces/sem/configmaps', 'a=b', { 'Content-Type': 'text/plain' });
    assert.equal(media.status, 415);
    const huge = await s.request('POST', '/api/v1/namespaces/sem/configmaps', JSON.stringify(cm('huge', { a: 'x'.repeat(4 * 1024 * 1024) })));
    assert.equal(huge.status, 413);
    assert.equal((await json('GET', '/api/v1/namespaces/sem/configmaps/huge')).status, 404);
    const noNs = await json('POST', '/api/v1/namespaces/nowhere/configmaps', cm('lost'));
    assert.equal(noNs.status, 404);
    assert.equal(noNs.body.message, 'namespaces "nowhere" not found');
  });
});

describe('durability', () => {
  it('keeps every acknowledged object across kill -9 and restart, with increasing resourceVersions', async () => {
    let srv = await startServer({ keepDataDir: true });
    const dataDir = srv.dataDir;
    const created: string[] = [];
    let lastRV = 0;
    for (let i = 0; i < 50; i++) {
      const r = await srv.request('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify(cm(`dur-${i}`)));
      assert.equal(r.status, 201);
      created.push(`dur-${i}`);
      lastRV = Number(JSON.parse(r.body).metadata.resourceVersion);
    }
    await srv.kill();
    srv = await startServer({ dataDir });
    try {
      const list = JSON.parse((await srv.request('GET', '/api/v1/namespaces/default/configmaps')).body);
      const names = list.items.map((i: { metadata: { name: string } }) => i.metadata.name);
      for (const n of created) assert.ok(names.includes(n), `${n} lost`);
      const r = await srv.request('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify(cm('after-restart')));
      assert.ok(Number(JSON.parse(r.body).metadata.resourceVersion) > lastRV);
    } finally {
      await srv.stop();
    }
  });
});

describe('history compaction', () => {
  it('answers a watch from a compacted resourceVersion with 410 Expired, and a stale continue token with 410', async () => {
    const srv = await startServer({ args: ['--storage-compact-interval', '300ms', '--storage-compact-retain', '5'] });
    try {
      const first = JSON.parse((await srv.request('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify(cm('old-0')))).body);
      for (let i = 1; i < 30; i++) await srv.request('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify(cm(`old-${i}`)));
      const page = JSON.parse((await srv.request('GET', '/api/v1/namespaces/default/configmaps?limit=5')).body);
      for (let i = 0; i < 30; i++) await srv.request('PUT', '/api/v1/namespaces/default/configmaps/old-1', JSON.stringify(cm('old-1', { a: String(i) })));
      await new Promise((r) => setTimeout(r, 1000));
      const watch = await srv.request('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${first.metadata.resourceVersion}&timeoutSeconds=2`);
      assert.equal(watch.status, 200);
      const ev = JSON.parse(watch.body.trim().split('\n')[0]);
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
      assert.match(ev.object.message, /too old resource version/);
      const stale = await srv.request('GET', `/api/v1/namespaces/default/configmaps?limit=5&continue=${encodeURIComponent(page.metadata.continue)}`);
      assert.equal(stale.status, 410);
      assert.equal(JSON.parse(stale.body).reason, 'Expired');
      const fresh = await srv.request('GET', '/api/v1/namespaces/default/configmaps?limit=5');
      assert.equal(fresh.status, 200);
    } finally {
      await srv.stop();
    }
  });
});
