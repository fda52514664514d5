// SPDX-License-Identifier: Apache-2.0
/** RuntimeClass admission (upstream plugin/pkg/admission/runtimeclass): overhead, scheduling, and its refusals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { lookupResource } from '../../api/resources.js';
import { newContext } from '../registry/request-context.js';
import { StatusError } from '../../machinery/index.js';
import { mergeTolerations, runtimeClassAdmission } from './runtime-class.js';

const classes: Record<string, RuntimeClass> = {
  plain: { metadata: { name: 'plain' }, handler: 'runc' },
  kata: {
    metadata: { name: 'kata' }, handler: 'kata',
    overhead: { podFixed: { cpu: '250m', memory: '120Mi' } },
    scheduling: { nodeSelector: { sandbox: 'kata' }, tolerations: [{ key: 'sandbox', operator: 'Equal', value: 'kata', effect: 'NoSchedule' }] },
  },
};
const plugin = runtimeClassAdmission(async (name) => classes[name]);
const pods = lookupResource('', 'v1', 'pods')!;
const ctx = newContext({ name: 'admin', groups: ['system:masters'] });

const specOf = (p: KubeObject | string): PodSpec => (typeof p === 'string' ? assert.fail(p) : (p.spec as unknown as PodSpec));
const pod = (spec: object, name = 'web'): KubeObject => ({ metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });

/** admitted runs both phases as the chain does; the refusal's message, or the pod as stored. */
async function admitted(p: KubeObject): Promise<KubeObject | string> {
  try {
    const a = { operation: 'CREATE' as const, resource: pods, object: p, ctx };
    await plugin.admit!(a);
    await plugin.validate!(a);
    return p;
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 403);
    assert.equal(err.reason, 'Forbidden');
    return err.message;
  }
}

test('only pod creates are looked at', () => {
  const rcs = lookupResource('node.k8s.io', 'v1', 'runtimeclasses')!;
  assert.equal(plugin.handles(pods, undefined, 'CREATE'), true);
  assert.equal(plugin.handles(pods, undefined, 'UPDATE'), false);
  assert.equal(plugin.handles(pods, 'status', 'CREATE'), false);
  assert.equal(plugin.handles(rcs, undefined, 'CREATE'), false);
});

test('a missing RuntimeClass refuses the pod with upstream message', async () => {
  assert.equal(await admitted(pod({ runtimeClassName: 'gone' })), 'pods "web" is forbidden: pod rejected: RuntimeClass "gone" not found');
  // Before a name is generated, upstream names the pod by its generateName.
  const generated: KubeObject = { metadata: { generateName: 'web-', namespace: 'default' }, spec: { runtimeClassName: 'gone' } };
  assert.equal(await admitted(generated), 'pods "web-" is forbidden: pod rejected: RuntimeClass "gone" not found');
});

test("the class's overhead and scheduling are set on the pod", async () => {
  const p = specOf(await admitted(pod({ runtimeClassName: 'kata', nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'x', operator: 'Exists' }] })));
  assert.deepEqual(p.overhead, { cpu: '250m', memory: '120Mi' });
  assert.deepEqual(p.nodeSelector, { disk: 'ssd', sandbox: 'kata' });
  assert.deepEqual(p.tolerations, [{ key: 'x', operator: 'Exists' }, { key: 'sandbox', operator: 'Equal', value: 'kata', effect: 'NoSchedule' }]);
  // The same overhead, written another way, is accepted; a class without overhead or scheduling changes nothing.
  assert.equal(typeof await admitted(pod({ runtimeClassName: 'kata', overhead: { cpu: '0.25', memory: '120Mi' } })), 'object');
  const plain = specOf(await admitted(pod({ runtimeClassName: 'plain' })));
  assert.equal(plain.overhead, undefined);
  assert.equal(plain.nodeSelector, undefined);
  assert.equal(plain.tolerations, undefined);
});

test('a different overhead, an overhead without a class, or a conflicting nodeSelector is refused', async () => {
  assert.equal(await admitted(pod({ runtimeClassName: 'kata', overhead: { cpu: '1' } })), "pods \"web\" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
  assert.equal(await admitted(pod({ overhead: { cpu: '1' } })), 'pods "web" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
  assert.equal(await admitted(pod({ runtimeClassName: 'plain', overhead: { cpu: '1' } })), 'pods "web" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
  assert.equal(
    await admitted(pod({ runtimeClassName: 'kata', nodeSelector: { sandbox: 'gvisor' } })),
    'pods "web" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[sandbox] = kata; pod.spec.nodeSelector[sandbox] = gvisor',
  );
});

test('mergeTolerations drops a toleration another one covers, keeping the first of equals', () => {
  const all = { operator: 'Exists' as const };
  const keyed = { key: 'k', operator: 'Equal' as const, value: 'v', effect: 'NoSchedule' };
  assert.deepEqual(mergeTolerations([keyed], [keyed]), [keyed]);
  assert.deepEqual(mergeTolerations([keyed], [all]), [all]);
  assert.deepEqual(mergeTolerations([{ key: 'k', operator: 'Exists' }], [keyed]), [{ key: 'k', operator: 'Exists' }]);
  const short = { key: 'n', operator: 'Exists' as const, effect: 'NoExecute', tolerationSeconds: 10 };
  const long = { ...short, tolerationSeconds: 60 };
  assert.deepEqual(mergeTolerations([short], [long]), [long]);
});
