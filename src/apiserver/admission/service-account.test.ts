// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { newNotFound } from '../../machinery/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import type { AdmissionAttributes } from './admission.js';
import { DEFAULT_API_TOKEN_MOUNT_PATH, mirrorPodViolation, serviceAccountAdmission, tokenVolumeSource } from './service-account.js';

const PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

// A registry holding only the given ServiceAccounts: what the plugin reads.
function registry(accounts: ServiceAccount[]): APIRegistry {
  const store = {
    get: async (ctx: { namespace?: string }, name: string) => {
      const sa = accounts.find((a) => a.metadata?.name === name && a.metadata?.namespace === ctx.namespace);
      if (!sa) throw newNotFound({ group: '', resource: 'serviceaccounts' }, name);
      return sa;
    },
  };
  // The plugin calls only require('', 'v1', 'serviceaccounts').get: the rest of APIRegistry is not needed here.
  return { require: () => store } as unknown as APIRegistry;
}

async function admit(spec: PodSpec, accounts: ServiceAccount[] = [], annotations?: Record<string, string>): Promise<PodSpec> {
  const plugin = serviceAccountAdmission(registry(accounts));
  const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', annotations }, spec } as unknown as KubeObject;
  const a = { operation: 'CREATE', resource: { group: '', kind: 'Pod' }, object } as unknown as AdmissionAttributes;
  await plugin.admit!(a);
  await plugin.validate!(a);
  return object.spec as PodSpec;
}

const account = (extra: Partial<ServiceAccount> = {}, name = 'default'): ServiceAccount => ({ metadata: { name, namespace: 'ns' }, ...extra });

test('every container and init container mounts a kube-api-access-<5 random> projected volume read-only, as upstream', async () => {
  const spec = await admit({ initContainers: [{ name: 'init', image: 'i' }], containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i' }] }, [account()]);
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.volumes?.length, 1);
  const v = spec.volumes![0];
  assert.match(v.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(v.projected, {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  });
  for (const c of [...spec.initContainers!, ...spec.containers]) assert.deepEqual(c.volumeMounts, [{ name: v.name, readOnly: true, mountPath: PATH }]);
  assert.equal(DEFAULT_API_TOKEN_MOUNT_PATH, PATH);
});

test('the suffix is random: two pods get different volume names', async () => {
  const names = new Set<string>();
  for (let i = 0; i < 8; i++) names.add((await admit({ containers: [{ name: 'a', image: 'i' }] }, [account()])).volumes![0].name);
  assert.ok(names.size > 1, `8 pods, names ${[...names].join(',')}`);
});

test('automountServiceAccountToken: the pod says no, the account says no, the pod overrides the account', async () => {
  const c = () => [{ name: 'a', image: 'i' }];
  const off = await admit({ containers: c(), automountServiceAccountToken: false }, [account()]);
  assert.equal(off.volumes, undefined);
  assert.equal(off.containers[0].volumeMounts, undefined);
  const saOff = await admit({ containers: c() }, [account({ automountServiceAccountToken: false })]);
  assert.equal(saOff.volumes, undefined);
  const podOn = await admit({ containers: c(), automountServiceAccountToken: true }, [account({ automountServiceAccountToken: false })]);
  assert.equal(podOn.volumes?.length, 1);
  const saOn = await admit({ containers: c(), serviceAccountName: 'bot' }, [account({ automountServiceAccountToken: true }, 'bot')]);
  assert.equal(saOn.volumes?.length, 1);
});

test('an account that does not exist yet is tolerated (Skiff): the pod is admitted with the volume', async () => {
  const spec = await admit({ containers: [{ name: 'a', image: 'i' }] });
  assert.equal(spec.serviceAccountName, 'default');
  assert.match(spec.volumes![0].name, /^kube-api-access-/);
});

test('a container that already mounts something at the path keeps it; the volume comes only if another container needs it', async () => {
  const own = { name: 'mine', mountPath: PATH };
  const spec = await admit({ volumes: [{ name: 'mine', emptyDir: {} }], containers: [{ name: 'a', image: 'i', volumeMounts: [own] }] }, [account()]);
  assert.deepEqual(spec.volumes, [{ name: 'mine', emptyDir: {} }]);
  assert.deepEqual(spec.containers[0].volumeMounts, [own]);
  const mixed = await admit({ volumes: [{ name: 'mine', emptyDir: {} }], containers: [{ name: 'a', image: 'i', volumeMounts: [own] }, { name: 'b', image: 'i' }] }, [account()]);
  assert.equal(mixed.volumes!.length, 2);
  assert.deepEqual(mixed.containers[0].volumeMounts, [own]);
  assert.equal(mixed.containers[1].volumeMounts![0].name, mixed.volumes![1].name);
});

test('a volume already named kube-api-access-* is reused, not doubled', async () => {
  const spec = await admit({ volumes: [{ name: 'kube-api-access-abcde', projected: tokenVolumeSource() }], containers: [{ name: 'a', image: 'i' }] }, [account()]);
  assert.equal(spec.volumes!.length, 1);
  assert.deepEqual(spec.containers[0].volumeMounts, [{ name: 'kube-api-access-abcde', readOnly: true, mountPath: PATH }]);
});

test('imagePullSecrets still come from the account, and a pod\'s own are kept', async () => {
  const sa = account({ imagePullSecrets: [{ name: 'regcred' }] });
  assert.deepEqual((await admit({ containers: [{ name: 'a', image: 'i' }] }, [sa])).imagePullSecrets, [{ name: 'regcred' }]);
  assert.deepEqual((await admit({ containers: [{ name: 'a', image: 'i' }], imagePullSecrets: [{ name: 'own' }] }, [sa])).imagePullSecrets, [{ name: 'own' }]);
});

test('mirror pods are not changed, and may reference neither accounts, secrets nor token projections', async () => {
  const mirror = { 'kubernetes.io/config.mirror': 'abc' };
  const spec = await admit({ containers: [{ name: 'a', image: 'i' }] }, [account()], mirror);
  assert.equal(spec.serviceAccountName, undefined);
  assert.equal(spec.volumes, undefined);
  await assert.rejects(admit({ serviceAccountName: 'default', containers: [{ name: 'a', image: 'i' }] }, [], mirror), (err: Error & { code?: number }) => {
    assert.equal(err.code, 403);
    assert.equal(err.message, 'pods "p" is forbidden: a mirror pod may not reference service accounts');
    return true;
  });
  assert.equal(mirrorPodViolation({ containers: [{ name: 'a', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] }), 'a mirror pod may not reference secrets');
  assert.equal(mirrorPodViolation({ containers: [], volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }] }),
    'a mirror pod may not use ServiceAccountToken volume projections');
});
