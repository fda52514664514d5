// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import type { PatchMeta } from './patch-meta.js';
import { patchMetaFor } from '../../api/patch/index.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

const deployMeta = patchMetaFor('apps', 'v1', 'Deployment');
const podMeta = patchMetaFor('', 'v1', 'Pod');

function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              args: ['--a', '--b'],
              ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }],
            },
            { name: 'sidecar', image: 'busybox' },
          ],
          volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
        },
      },
    },
  };
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests index deep into results
const containersOf = (d: unknown): Obj[] => (d as Obj).spec.template.spec.containers;

function rejects(fn: () => unknown, code: number, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, String(err));
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('kubectl apply: changing a container image merges by name and keeps the other container', () => {
  const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ name: 'web', image: 'nginx:1.26' }] } } } };
  const out = applyStrategicMergePatch(deployment(), patch, deployMeta);
  const [web, sidecar] = containersOf(out);
  assert.equal(web.image, 'nginx:1.26');
  assert.deepEqual(web.ports, containersOf(deployment())[0].ports);
  assert.deepEqual(sidecar, { name: 'sidecar', image: 'busybox' });
  assert.equal('$setElementOrder/containers' in (out as Obj).spec.template.spec, false);
});

test('kubectl apply: adding an env var merges env by name in $setElementOrder order', () => {
  const patch = {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }], env: [{ name: 'B', value: '2' }] }] } } },
  };
  const [web] = containersOf(applyStrategicMergePatch(deployment(), patch, deployMeta));
  assert.deepEqual(web.env, [{ name: 'B', value: '2' }, { name: 'A', value: '1' }]);
  assert.equal(web.image, 'nginx:1.25');
});

test('kubectl apply: removing a port with $patch: delete', () => {
  const patch = {
    spec: { template: { spec: { containers: [{ name: 'web', '$setElementOrder/ports': [{ containerPort: 80 }], ports: [{ $patch: 'delete', containerPort: 443 }] }] } } },
  };
  const [web] = containersOf(applyStrategicMergePatch(deployment(), patch, deployMeta));
  assert.deepEqual(web.ports, [{ containerPort: 80, protocol: 'TCP' }]);
});

test('kubectl apply: switching strategy to Recreate with $retainKeys clears rollingUpdate', () => {
  const patch = { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } };
  const out = applyStrategicMergePatch(deployment(), patch, deployMeta) as Obj;
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
});

test('$retainKeys refuses a patch member it does not list (400)', () => {
  rejects(() => applyStrategicMergePatch(deployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } }, deployMeta), 400, /retainKeys/);
  rejects(() => applyStrategicMergePatch(deployment(), { spec: { strategy: { $retainKeys: 'type' } } }, deployMeta), 400);
});

test('volumes carry $retainKeys: switching a volume source drops the old one', () => {
  const patch = { spec: { template: { spec: { volumes: [{ $retainKeys: ['name', 'secret'], name: 'cfg', configMap: null, secret: { secretName: 's' } }] } } } };
  const out = applyStrategicMergePatch(deployment(), patch, deployMeta) as Obj;
  assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'cfg', secret: { secretName: 's' } }]);
});

test('lists without merge strategy (args) are replaced', () => {
  const patch = { spec: { template: { spec: { containers: [{ name: 'web', args: ['--c'] }] } } } };
  assert.deepEqual(containersOf(applyStrategicMergePatch(deployment(), patch, deployMeta))[0].args, ['--c']);
});

test('a new container is added, with directive keys and nulls stripped from it', () => {
  const patch = { spec: { template: { spec: { containers: [{ name: 'new', image: 'x', env: [{ name: 'E', value: null }], resources: null }] } } } };
  const names = containersOf(applyStrategicMergePatch(deployment(), patch, deployMeta)).map((c) => c.name);
  assert.deepEqual(names, ['new', 'web', 'sidecar']); // upstream puts patch-only items before live-only ones
  const added = containersOf(applyStrategicMergePatch(deployment(), patch, deployMeta))[0];
  assert.deepEqual(added, { name: 'new', image: 'x', env: [{ name: 'E' }] });
});

test('$patch: replace on a list element replaces the whole list', () => {
  const patch = { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } } } };
  assert.deepEqual(containersOf(applyStrategicMergePatch(deployment(), patch, deployMeta)), [{ name: 'only', image: 'x' }]);
});

test('$patch: replace on a map replaces it; $patch: delete empties it', () => {
  const out = applyStrategicMergePatch(deployment(), { spec: { template: { metadata: { $patch: 'replace', labels: { v: '2' } } } } }, deployMeta) as Obj;
  assert.deepEqual(out.spec.template.metadata, { labels: { v: '2' } });
  const out2 = applyStrategicMergePatch(deployment(), { spec: { strategy: { $patch: 'delete' } } }, deployMeta) as Obj;
  assert.deepEqual(out2.spec.strategy, {});
});

test('$patch: merge is refused as upstream refuses it (500, no reason)', () => {
  rejects(() => applyStrategicMergePatch(deployment(), { spec: { strategy: { $patch: 'merge' } } }, deployMeta), 500, /unknown patch type: merge in map: map\[\$patch:merge\]/);
  rejects(() => applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } }, deployMeta), 500, /merging lists cannot yet be specified/);
});

test('null deletes a member; members absent from the patch are kept', () => {
  const out = applyStrategicMergePatch(deployment(), { spec: { replicas: null, paused: true } }, deployMeta) as Obj;
  assert.equal('replicas' in out.spec, false);
  assert.equal(out.spec.paused, true);
  assert.ok(out.spec.template);
});

test('finalizers merge as a set; $deleteFromPrimitiveList removes values', () => {
  const added = applyStrategicMergePatch(deployment(), { metadata: { finalizers: ['c', 'a'] } }, deployMeta) as Obj;
  // Patch items come in patch order; live-only 'b' follows 'a' because it follows it in the live list.
  assert.deepEqual(added.metadata.finalizers, ['c', 'a', 'b']);
  const removed = applyStrategicMergePatch(deployment(), { metadata: { '$setElementOrder/finalizers': ['b'], '$deleteFromPrimitiveList/finalizers': ['a'] } }, deployMeta) as Obj;
  assert.deepEqual(removed.metadata.finalizers, ['b']);
  const absent = applyStrategicMergePatch({ metadata: {} }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, deployMeta) as Obj;
  assert.deepEqual(absent.metadata, {});
});

test('a merge-list element without its merge key is a 500 naming the map, as upstream', () => {
  rejects(() => applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, deployMeta), 500, /^map: map\[image:x\] does not contain declared merge key: name$/);
});

test('bad directive formats are 400', () => {
  rejects(() => applyStrategicMergePatch(deployment(), { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } }, deployMeta), 400, /primitive list/);
  rejects(() => applyStrategicMergePatch(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }, deployMeta), 400);
});

test('a patch that is not an object is 400; null is a no-op', () => {
  rejects(() => applyStrategicMergePatch(deployment(), [1], deployMeta), 400, /cannot unmarshal array/);
  assert.deepEqual(applyStrategicMergePatch(deployment(), null, deployMeta), deployment());
});

test('neither the document nor the patch is mutated', () => {
  const doc = deployment();
  const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' }, template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'web', image: 'y' }] } } } };
  const patchCopy = structuredClone(patch);
  applyStrategicMergePatch(doc, patch, deployMeta);
  assert.deepEqual(doc, deployment());
  assert.deepEqual(patch, patchCopy);
});

test('without metadata lists are replaced but maps still merge', () => {
  const out = applyStrategicMergePatch(deployment(), { metadata: { labels: { x: '1' } }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } }) as Obj;
  assert.deepEqual(containersOf(out), [{ name: 'c' }]);
  assert.deepEqual(out.metadata.labels, { x: '1' });
  assert.equal(out.spec.replicas, 2);
});

test('pod status conditions merge by type; service ports by port', () => {
  const pod = { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } };
  const out = applyStrategicMergePatch(pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, podMeta) as Obj;
  assert.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }]);
  const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }] } };
  const svcOut = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 443 }] } }, patchMetaFor('', 'v1', 'Service')) as Obj;
  assert.deepEqual(svcOut.spec.ports, [{ port: 443 }, { port: 80, targetPort: 8080 }]);
});

test('PodDisruptionBudget selector has strategy replace', () => {
  const pdb = { spec: { selector: { matchLabels: { a: '1' } } } };
  const out = applyStrategicMergePatch(pdb, { spec: { selector: { matchLabels: { b: '2' } } } }, patchMetaFor('policy', 'v1', 'PodDisruptionBudget')) as Obj;
  assert.deepEqual(out.spec.selector, { matchLabels: { b: '2' } });
});

// Ordering cases restated from apimachinery's strategicpatch tests ("preserve order", "server-only items").
const listMeta: PatchMeta = { mergingList: { strategy: 'merge', mergeKey: 'name' }, mergingIntList: { strategy: 'merge' } };
const n = (name: number, extra: Obj = {}) => ({ name, ...extra });

test('order: a new item listed first in $setElementOrder goes first', () => {
  const current = { mergingList: [n(1, { other: 'a' }), n(2, { value: 2, other: 'b' })] };
  const patch = { '$setElementOrder/mergingList': [n(3), n(1), n(2)], mergingList: [n(3, { value: 3 })] };
  assert.deepEqual(applyStrategicMergePatch(current, patch, listMeta), { mergingList: [n(3, { value: 3 }), n(1, { other: 'a' }), n(2, { value: 2, other: 'b' })] });
});

test('order: several new items interleave as $setElementOrder says', () => {
  const current = { mergingList: [n(1, { other: 'a' }), n(2, { value: 2, other: 'b' })] };
  const patch = { '$setElementOrder/mergingList': [n(1), n(4), n(2), n(3)], mergingList: [n(4, { value: 4 }), n(3, { value: 3 })] };
  const want = [n(1, { other: 'a' }), n(4, { value: 4 }), n(2, { value: 2, other: 'b' }), n(3, { value: 3 })];
  assert.deepEqual(applyStrategicMergePatch(current, patch, listMeta), { mergingList: want });
});

test('order: server-only items stay next to their live neighbours', () => {
  const current = { mergingList: [n(1, { other: 'a' }), n(2, { value: 2 }), n(7), n(9), n(8), n(3, { value: 3 }), n(4, { value: 4 })] };
  const patch = { '$setElementOrder/mergingList': [n(2), n(1), n(4), n(3)] };
  const want = [n(2, { value: 2 }), n(1, { other: 'a' }), n(7), n(9), n(8), n(4, { value: 4 }), n(3, { value: 3 })];
  assert.deepEqual(applyStrategicMergePatch(current, patch, listMeta), { mergingList: want });
});

test('order: a trailing server-only item stays last', () => {
  const current = { mergingList: [n(1, { other: 'a' }), n(3, { value: 3 }), n(4, { value: 4 }), n(2, { value: 2 }), n(9)] };
  const patch = { '$setElementOrder/mergingList': [n(4), n(2), n(3), n(1)] };
  const want = [n(4, { value: 4 }), n(2, { value: 2 }), n(3, { value: 3 }), n(1, { other: 'a' }), n(9)];
  assert.deepEqual(applyStrategicMergePatch(current, patch, listMeta), { mergingList: want });
});

test('order: int lists add and delete in one patch', () => {
  const current = { mergingIntList: [1, 2, 3] };
  const patch = { '$setElementOrder/mergingIntList': [4, 1, 3], '$deleteFromPrimitiveList/mergingIntList': [2], mergingIntList: [4] };
  assert.deepEqual(applyStrategicMergePatch(current, patch, listMeta), { mergingIntList: [4, 1, 3] });
});

test('order: a patch list out of $setElementOrder order is refused', () => {
  const current = { mergingList: [n(1), n(2)] };
  const patch = { '$setElementOrder/mergingList': [n(1), n(2)], mergingList: [n(2, { v: 1 }), n(1, { v: 1 })] };
  rejects(() => applyStrategicMergePatch(current, patch, listMeta), 500, /doesn't match \$setElementOrder list/);
});

test('lists of lists in a merge list are 422', () => {
  rejects(() => applyStrategicMergePatch({ mergingIntList: [[1]] }, { mergingIntList: [[2]] }, listMeta), 422);
});

test('order: adding one item and deleting another orders like upstream (live view after in-place delete)', () => {
  const current = { mergingList: [n(1), n(2, { other: 'b' }), n(4, { other: 'c' })] };
  const patch = { '$setElementOrder/mergingList': [n(2), n(3)], mergingList: [n(3), { name: 1, $patch: 'delete' }] };
  assert.deepEqual(applyStrategicMergePatch(current, patch, listMeta), { mergingList: [n(2, { other: 'b' }), n(4, { other: 'c' }), n(3)] });
});
