// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourcePath } from './request-info.js';

const parse = (method: string, path: string, query = '') => parseResourcePath(method, path, new URLSearchParams(query));

test('resource paths split into their parts: empty segments skipped, escapes decoded, streaming subresources connect', () => {
  assert.deepEqual(parse('POST', '/api/v1/namespaces/bench/configmaps'), { verb: 'create', group: '', version: 'v1', resource: 'configmaps', namespace: 'bench', name: undefined, subresource: undefined, rest: [] });
  assert.deepEqual(parse('GET', '//api//v1///pods/'), { verb: 'list', group: '', version: 'v1', resource: 'pods', namespace: undefined, name: undefined, subresource: undefined, rest: [] });
  assert.deepEqual(parse('GET', '/api/v1/namespaces/a%2Fb/pods/p%20q/log'), { verb: 'get', group: '', version: 'v1', resource: 'pods', namespace: 'a/b', name: 'p q', subresource: 'log', rest: [] });
  assert.deepEqual(parse('GET', '/api/v1/namespaces/x/pods/p/proxy/a/b/'), { verb: 'connect', group: '', version: 'v1', resource: 'pods', namespace: 'x', name: 'p', subresource: 'proxy', rest: ['a', 'b'] });
  assert.deepEqual(parse('PUT', '/apis/apps/v1/namespaces/x/deployments/d/scale'), { verb: 'update', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'x', name: 'd', subresource: 'scale', rest: [] });
  assert.equal(parse('GET', '/api/v1/watch/namespaces/x/pods')?.verb, 'watch');
  assert.equal(parse('GET', '/api/v1/pods', 'watch=true')?.verb, 'watch');
  assert.deepEqual(parse('PUT', '/api/v1/namespaces/x/finalize'), { verb: 'update', group: '', version: 'v1', resource: 'namespaces', namespace: undefined, name: 'x', subresource: 'finalize', rest: [] });
  for (const p of ['', '/', '/api', '/api/v1', '/apis/g/v', '/healthz']) assert.equal(parse('GET', p), undefined, p);
  assert.throws(() => parse('GET', '/api/v1/namespaces/%zz/pods'), /invalid URL escape in path segment "%zz"/);
});
