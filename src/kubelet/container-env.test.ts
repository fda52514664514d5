// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClient } from '../client/fake-client.js';
import { expandVars, makeEnvironment, ObjectCache } from './container-env.js';

const node = { cpuMilli: 2000, memoryBytes: 1 << 30, ephemeralStorageBytes: 1 << 30 };

function pod(env: NonNullable<Pod['spec']>['containers'][number]['env']): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { app: 'x' } },
    spec: { enableServiceLinks: false, containers: [{ name: 'c', image: 'i', env, resources: { limits: { memory: '64Mi' } } }] },
  };
}

describe('makeEnvironment', () => {
  const client = new FakeClient([
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' }, data: { a: 'A' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { p: Buffer.from('pw').toString('base64') } },
  ]);
  const ctx = () => ({ objects: new ObjectCache(client), node, runtime: { podIP: '10.0.0.5', hostIP: '192.0.2.2' } });

  it('resolves values, references, the downward API and $(VAR) expansion', async () => {
    const p = pod([
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'a' } } },
      { name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'X', value: '$(A)-$(P)-$(NOPE)-$$(A)' },
    ]);
    const env = Object.fromEntries((await makeEnvironment(p, p.spec!.containers[0], ctx())).map((e) => [e.key, e.value]));
    assert.deepEqual(env, { A: 'A', P: 'pw', IP: '10.0.0.5', APP: 'x', MEM: '64', X: 'A-pw-$(NOPE)-$(A)' });
  });

  it("fails a missing key with upstream's message unless optional", async () => {
    const p = pod([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope' } } }]);
    await assert.rejects(makeEnvironment(p, p.spec!.containers[0], ctx()), { message: "couldn't find key nope in ConfigMap ns/cm" });
    const o = pod([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'gone', key: 'x', optional: true } } }]);
    assert.deepEqual(await makeEnvironment(o, o.spec!.containers[0], ctx()), []);
  });

  it('leaves unknown references and lone dollars alone', () => {
    assert.equal(expandVars('$(X) $ $(', new Map([['X', '1']])), '1 $ $(');
  });
});
