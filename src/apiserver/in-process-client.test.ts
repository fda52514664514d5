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

test('a watch authorized asynchronously is the registry\'s stream once allowed, and a refusal is its first next()', async () => {
  const returned: string[] = [];
  let started = 0;
  const registry = {
    require: () => ({
      info: { kind: 'ConfigMap', namespaced: true },
      watch: () => {
        started++;
        let n = 0;
        return {
          [Symbol.asyncIterator]: () => ({
            next: async () => ({ value: { type: 'ADDED', object: { metadata: { name: `cm-${++n}` } } }, done: false }),
            return: async () => (returned.push('inner'), { value: undefined, done: true }),
          }),
        };
      },
    }),
  } as unknown as APIRegistry;
  const allowing = new InProcessClient(registry, undefined, () => ({ authorize: async () => ({ allowed: true }) }));
  const names: string[] = [];
  for await (const ev of allowing.watch(R.configmaps, { namespace: 'a' })) {
    names.push(ev.object.metadata.name!);
    if (names.length === 3) break;
  }
  assert.deepEqual(names, ['cm-1', 'cm-2', 'cm-3']);
  assert.deepEqual(returned, ['inner'], 'breaking out of the loop closes the registry stream');

  const unstarted = allowing.watch(R.configmaps, { namespace: 'a' })[Symbol.asyncIterator]();
  assert.deepEqual(await unstarted.return!(), { value: undefined, done: true });
  assert.deepEqual(await unstarted.next(), { value: undefined, done: true });
  assert.equal(started, 1, 'a watch returned before its first next() never starts');

  const refusing = new InProcessClient(registry, { name: 'u', groups: [] }, () => ({ authorize: async () => ({ allowed: false }) }));
  await assert.rejects(refusing.watch(R.configmaps, { namespace: 'a' })[Symbol.asyncIterator]().next(), /configmaps is forbidden: User "u" cannot watch resource "configmaps"/);
  assert.equal(started, 1);
});
