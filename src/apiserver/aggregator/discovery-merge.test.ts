// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeAggregated, mergedGroup, mergeGroupList, toDiscoveryVersion, type RemoteGroupVersion } from './discovery-merge.js';
import type { APIService } from './types.js';

function remote(group: string, version: string, gpm: number, vp: number, available = true, resources?: { name: string; kind: string; namespaced?: boolean; verbs?: string[] }[]): RemoteGroupVersion {
  const service: APIService = {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `${version}.${group}` },
    spec: { group, version, groupPriorityMinimum: gpm, versionPriority: vp, service: { namespace: 'ns', name: 'api', port: 443 } },
    status: { conditions: [{ type: 'Available', status: available ? 'True' : 'False' }] },
  };
  return { service, discovered: resources ? { resourceList: { resources } } : undefined };
}

const priorities = (list: RemoteGroupVersion[]) => (g: string, v: string) => list.find((r) => r.service.spec?.group === g && r.service.spec?.version === v)?.service.spec?.versionPriority ?? 0;

test('legacy /apis lists remote groups after local ones by priority, versions by versionPriority then kube order', () => {
  const list = [remote('b.example.com', 'v1', 100, 10), remote('a.example.com', 'v1', 200, 10), remote('b.example.com', 'v2beta1', 100, 10), remote('apps', 'v9', 100, 50)];
  const doc = { groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }] };
  const merged = mergeGroupList(doc, list, priorities(list));
  assert.deepEqual(merged.groups.map((g) => [g.name, g.versions.map((v) => v.version), g.preferredVersion?.version]), [
    ['apps', ['v9', 'v1'], 'v9'],
    ['a.example.com', ['v1'], 'v1'],
    ['b.example.com', ['v1', 'v2beta1'], 'v1'],
  ]);
  assert.deepEqual(mergedGroup('b.example.com', [], list, priorities(list)), {
    kind: 'APIGroup', apiVersion: 'v1', name: 'b.example.com',
    versions: [{ groupVersion: 'b.example.com/v1', version: 'v1' }, { groupVersion: 'b.example.com/v2beta1', version: 'v2beta1' }],
    preferredVersion: { groupVersion: 'b.example.com/v1', version: 'v1' },
  });
  assert.equal(mergedGroup('apps2', ['v1'], list, priorities(list)), undefined);
});

test('aggregated discovery takes the extension server resources, replacing a local group/version, Stale while unavailable', () => {
  const resources = [
    { name: 'flunders', kind: 'Flunder', namespaced: true, verbs: ['get', 'list'] },
    { name: 'flunders/status', kind: 'Flunder', namespaced: true, verbs: ['get', 'patch'] },
  ];
  const list = [remote('metrics.k8s.io', 'v1beta1', 100, 100, true, [{ name: 'nodes', kind: 'NodeMetrics', verbs: ['get', 'list'] }]), remote('wardle.example.com', 'v1alpha1', 1000, 15, false, resources), remote('never.example.com', 'v1', 1000, 15)];
  const doc = { items: [{ metadata: { name: 'metrics.k8s.io' }, versions: [{ version: 'v1beta1', resources: [{ resource: 'pods' }] }] }] };
  const merged = mergeAggregated(doc, list, priorities(list)) as unknown as { items: { metadata: { name: string }; versions: { version: string; freshness: string; resources: { resource: string; subresources?: unknown[] }[] }[] }[] };
  assert.deepEqual(merged.items.map((i) => i.metadata.name), ['metrics.k8s.io', 'wardle.example.com']);
  assert.deepEqual(merged.items[0].versions.map((v) => [v.version, v.freshness, v.resources.map((r) => r.resource)]), [['v1beta1', 'Current', ['nodes']]]);
  assert.equal(merged.items[1].versions[0].freshness, 'Stale');
  assert.deepEqual(toDiscoveryVersion('wardle.example.com', 'v1alpha1', { resources }, true), {
    version: 'v1alpha1', freshness: 'Current',
    resources: [{
      resource: 'flunders', responseKind: { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Flunder' }, scope: 'Namespaced', singularResource: '', verbs: ['get', 'list'],
      subresources: [{ subresource: 'status', responseKind: { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Flunder' }, verbs: ['get', 'patch'] }],
    }],
  });
});
