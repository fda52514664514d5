// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R } from '../client/index.js';
import { FakeClient } from '../client/fake-client.js';
import { makeEnvironment } from './container-env.js';
import { PodObjectManager } from './pod-objects.js';
import { podReferences } from './pod-references.js';

const node = { cpuMilli: 2000, memoryBytes: 1 << 30, ephemeralStorageBytes: 1 << 30 };

function pod(uid: string, cms: string[], secrets: string[] = [], phase = 'Running'): Pod {
  return {
    metadata: { name: `p-${uid}`, namespace: 'ns', uid },
    spec: {
      containers: [{ name: 'c', image: 'i', envFrom: cms.map((name) => ({ configMapRef: { name } })) }],
      volumes: secrets.map((secretName) => ({ name: secretName, secret: { secretName } })),
    },
    status: { phase },
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), what);
}

describe('podReferences', () => {
  it("collects upstream's ConfigMap and Secret references of every container kind, volumes, projections and pull secrets", () => {
    const refs = podReferences({
      metadata: { name: 'p' },
      spec: {
        imagePullSecrets: [{ name: 'pull' }],
        initContainers: [{ name: 'i', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'init-cm', key: 'k' } } }] }],
        containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'env-secret' } }], env: [{ name: 'B', valueFrom: { secretKeyRef: { name: 'key-secret', key: 'k' } } }] }],
        ephemeralContainers: [{ name: 'e', envFrom: [{ configMapRef: { name: 'debug-cm' } }] }],
        volumes: [
          { name: 'v1', configMap: { name: 'vol-cm' } },
          { name: 'v2', secret: { secretName: 'vol-secret' } },
          { name: 'v3', projected: { sources: [{ configMap: { name: 'proj-cm' } }, { secret: { name: 'proj-secret' } }, { serviceAccountToken: { path: 't' } }] } },
        ],
      },
    });
    assert.deepEqual([...refs.configMaps].sort(), ['debug-cm', 'init-cm', 'proj-cm', 'vol-cm']);
    assert.deepEqual([...refs.secrets].sort(), ['env-secret', 'key-secret', 'proj-secret', 'pull', 'vol-secret']);
  });
});

describe('PodObjectManager', () => {
  it('watches what registered pods reference, follows spec changes, and lets go of deleted and finished pods', async () => {
    const client = new FakeClient([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' }, data: { A: '1' } } as KubeObject,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'ns' }, data: { B: '2' } } as KubeObject,
    ]);
    const woken: string[] = [];
    const objects = new PodObjectManager(client, { changed: (uids) => woken.push(...uids) });
    try {
      objects.updatePod(pod('u1', ['a'], ['s']));
      objects.updatePod(pod('u2', ['a']));
      assert.deepEqual(objects.watching().sort(), ['configmap ns/a', 'secret ns/s']);
      objects.updatePod(pod('u1', ['a', 'b'], []));
      assert.deepEqual(objects.watching().sort(), ['configmap ns/a', 'configmap ns/b'], 'a new reference is watched, a dropped one is not');
      assert.deepEqual((await objects.configMap('ns', 'b')).data, { B: '2' });

      await until(() => client.actions.filter((a) => a.verb === 'watch').length === 3, 'the watches run');
      await client.update(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' }, data: { A: 'changed' } } as KubeObject);
      await until(() => woken.length === 2, 'the pods referencing the ConfigMap are woken');
      assert.deepEqual(woken.sort(), ['u1', 'u2']);

      objects.updatePod(pod('u2', ['a'], [], 'Succeeded'));
      objects.deletePod(pod('u1', ['a', 'b']));
      assert.deepEqual(objects.watching(), [], 'nothing left once no running pod references anything');
    } finally {
      objects.close();
    }
  });

  it("builds service links from the node-wide Service cache, and refuses before it has listed, as upstream", async () => {
    const svc = (ns: string, name: string, ip: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { clusterIP: ip, ports: [{ port: 80 }] } }) as KubeObject;
    const client = new FakeClient([svc('ns', 'web', '10.0.0.7'), svc('default', 'kubernetes', '10.0.0.1'), svc('other', 'db', '10.0.0.9')]);
    const objects = new PodObjectManager(client);
    const p: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const env = async () => Object.fromEntries((await makeEnvironment(p, p.spec!.containers[0], { objects, node, runtime: {} })).map((e) => [e.key, e.value]));
    await assert.rejects(env(), { message: 'services have not yet been read at least once, cannot construct envvars' });
    const ac = new AbortController();
    const done = objects.run(ac.signal);
    try {
      assert.equal(await objects.waitForServices(ac.signal), true);
      const vars = await env();
      assert.equal(vars.WEB_SERVICE_HOST, '10.0.0.7');
      assert.equal(vars.KUBERNETES_SERVICE_HOST, '10.0.0.1');
      assert.equal(vars.DB_SERVICE_HOST, undefined, "another namespace's Service is not linked");
      const lists = client.actions.filter((a) => a.resource === 'services' && a.verb === 'list').length;
      await env();
      assert.equal(client.actions.filter((a) => a.resource === 'services' && a.verb === 'list').length, lists, 'no LIST per pod');
    } finally {
      ac.abort();
      await done;
      objects.close();
    }
  });
});
