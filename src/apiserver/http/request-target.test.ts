// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestTarget } from './request-target.js';

test('a request target reads as the URL parser reads it, plain targets without a URL', () => {
  const plain = [
    '/api/v1/namespaces/bench/configmaps',
    '/api/v1/namespaces/default/pods/web-0/log?container=app&follow=true',
    '/apis/apps/v1/deployments?labelSelector=app%3Dweb,tier!%3Ddb&limit=500&watch=1',
    '/api/v1/pods?fieldSelector=spec.nodeName=n1&resourceVersion=0',
    '/api/v1/namespaces/a/pods?labelSelector=a+b',
    '/readyz/',
    '/',
    '/api/v1/namespaces/x/configmaps/a:b@c;d',
    '/api/v1/nodes?dryRun=All&fieldManager=kubectl-client-side-apply',
    '/api/v1/nodes?',
    '/api/v1/pods?x=%&y=%zz&z=%41&w=%E2%9C%93&&=&k',
  ];
  const other = [
    '//evil/api/v1/pods',
    '/api/v1/../v1/pods',
    '/api/v1/./pods',
    '/api/v1/namespaces/%2e%2e/pods',
    '/api/v1/namespaces/a%20b/pods',
    '/api/v1/namespaces/a b/pods?x=y z',
    '/api/v1/pods\\x',
    '/api/v1/pods#frag',
    '/api/v1/pods??x=1',
    "/api/v1/pods?x='1'",
    '/api/v1/pods?x="1"',
    '/api/v1/naméspaces',
    '/api/v1/pods?labelSelector=app in (a,b)',
    '/api/v1/{x}/pods',
    '*',
    'https://host:6443/api/v1/pods?watch=true',
    '/..',
    '/api/v1/pods/.',
  ];
  for (const raw of [...plain, ...other]) {
    const want = new URL(raw, 'https://localhost');
    const got = parseRequestTarget(raw);
    assert.equal(got.pathname, want.pathname, raw);
    assert.deepEqual([...got.searchParams], [...want.searchParams], raw);
  }
  for (const raw of plain) assert.ok(!(parseRequestTarget(raw) instanceof URL), `${raw} takes the plain path`);
  for (const raw of other) assert.ok(parseRequestTarget(raw) instanceof URL, `${raw} takes the URL parser`);
});
