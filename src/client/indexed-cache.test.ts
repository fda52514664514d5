// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/index.js';
import { IndexedCache, NAMESPACE_INDEX } from './indexed-cache.js';

const pod = (ns: string, name: string, node?: string, rv = '1'): KubeObject => ({ metadata: { namespace: ns, name, resourceVersion: rv }, spec: { nodeName: node } });
const names = (objs: KubeObject[] | undefined) => (objs ?? []).map((o) => o.metadata.name).sort();

test('an update keeps unchanged index entries and moves changed ones; a failing indexer costs only its index', () => {
  const errors: string[] = [];
  const cache = new IndexedCache<KubeObject>((err) => errors.push(err.message));
  cache.addIndexer(NAMESPACE_INDEX, (o) => [o.metadata.namespace ?? '']);
  cache.addIndexer('node', (o) => {
    const node = (o.spec as { nodeName?: string }).nodeName;
    if (node === 'bad') throw new Error('no index for bad');
    return node ? [node] : [];
  });
  cache.set('a/p1', pod('a', 'p1'));
  cache.set('a/p2', pod('a', 'p2', 'n1'));
  const old = cache.get('a/p1');
  cache.replace('a/p1', pod('a', 'p1', 'n1', '2'), old); // bound: the node index changes, the namespace one does not
  assert.deepEqual(names(cache.byIndex('node', 'n1')), ['p1', 'p2']);
  assert.deepEqual(names(cache.byIndex(NAMESPACE_INDEX, 'a')), ['p1', 'p2']);
  assert.equal(cache.set('a/p2', pod('a', 'p2', 'n2', '2'))?.metadata.resourceVersion, '1');
  assert.deepEqual(names(cache.byIndex('node', 'n1')), ['p1']);
  assert.deepEqual(names(cache.byIndex('node', 'n2')), ['p2']);
  cache.replace('a/p2', pod('a', 'p2', 'bad', '3'), cache.get('a/p2'));
  assert.deepEqual(names(cache.byIndex('node', 'n2')), []);
  assert.deepEqual(names(cache.byIndex(NAMESPACE_INDEX, 'a')), ['p1', 'p2']);
  assert.deepEqual(errors, ['no index for bad']);
  cache.delete('a/p1', cache.get('a/p1')!);
  assert.deepEqual(names(cache.byIndex('node', 'n1')), []);
  assert.deepEqual(names(cache.byIndex(NAMESPACE_INDEX, 'a')), ['p2']);
});
