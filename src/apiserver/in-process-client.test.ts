// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { R } from '../client/index.js';
import type { AuthorizationAttributes } from './authz.js';
import { InProcessClient } from './in-process-client.js';
import type { APIRegistry } from './registry/api-registry.js';

test('in-process list, watch and deletecollection are authorized with their selectors, as over HTTP', async () => {
  const seen: AuthorizationAttributes[] = [];
  // Every call is denied, so the registry is never reached (an empty stand-in is enough).
  const client = new InProcessClient({} as APIRegistry, { name: 'system:node:a', groups: ['system:nodes'] }, () => ({
    authorize: (a) => {
      seen.push(a);
      return { allowed: false, reason: 'recorded' };
    },
  }));
  await assert.rejects(client.list(R.pods, { fieldSelector: 'spec.nodeName=a', labelSelector: 'app=web' }), /pods is forbidden: .*: recorded/);
  assert.throws(() => client.watch(R.nodes, { fieldSelector: 'metadata.name=a' }), /nodes "a" is forbidden: User "system:node:a" cannot watch resource "nodes"/);
  await assert.rejects(client.deleteCollection(R.pods, { namespace: 'default', labelSelector: 'app=web' }), /recorded/);
  await assert.rejects(client.get(R.nodes, 'a'), /recorded/);
  assert.deepEqual(seen.map((a) => [a.verb, a.name, a.fieldSelector, a.labelSelector]), [
    ['list', undefined, [{ field: 'spec.nodeName', operator: '=', value: 'a' }], [{ key: 'app', operator: '=', values: ['web'] }]],
    ['watch', 'a', [{ field: 'metadata.name', operator: '=', value: 'a' }], undefined],
    ['deletecollection', undefined, undefined, [{ key: 'app', operator: '=', values: ['web'] }]],
    ['get', 'a', undefined, undefined],
  ]);
});
