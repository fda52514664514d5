// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, formatLabels, selectorString } from './label-format.js';

test('formatLabels sorts keys and prints <none> when empty', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('selectors render as labels.Selector.String, requirements sorted by key', () => {
  const sel = {
    matchLabels: { tier: 'web', app: 'shop' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'zone', operator: 'NotIn', values: ['b', 'a'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'gpu', operator: 'Exists' },
    ],
  };
  assert.equal(formatLabelSelector(sel), 'app=shop,!canary,env in (dev,prod),gpu,tier=web,zone notin (a,b)');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Bogus' }] }), '<error>');
  assert.equal(selectorString({}), '');
});
