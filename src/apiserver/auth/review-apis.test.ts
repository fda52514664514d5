// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributesOf } from './review-apis.js';

const alice = { name: 'alice', groups: ['system:authenticated'] };

test("an access review naming no version asks about every version ('*'), as upstream's ResourceAttributesFrom", () => {
  assert.equal(attributesOf(alice, { resourceAttributes: { verb: 'get', resource: 'pods' } }, undefined).attrs.version, '*');
  assert.equal(attributesOf(alice, { resourceAttributes: { verb: 'get', resource: 'pods', version: '' } }, undefined).attrs.version, '*');
  assert.equal(attributesOf(alice, { resourceAttributes: { verb: 'get', group: 'apps', version: 'v1', resource: 'deployments' } }, undefined).attrs.version, 'v1');
  assert.equal(attributesOf(alice, { nonResourceAttributes: { verb: 'get', path: '/healthz' } }, undefined).attrs.version, undefined);
});
