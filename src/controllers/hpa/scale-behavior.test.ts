// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScaleHistory, scaleDownLimit, scaleDownRules, scaleUpLimit, scaleUpRules } from './scale-behavior.js';

const T0 = 1_000_000;

test('without behavior: scale-up limited to max(2x, 4), scale-down held by the 5-minute window', () => {
  const h = new ScaleHistory();
  const up = h.normalize({ key: 'k', current: 3, desired: 20, min: 1, max: 10, now: T0 });
  assert.equal(up.replicas, 6);
  assert.deepEqual(up.scalingLimited, { status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
  assert.equal(up.ableToScale.reason, 'ReadyForNewScale');
  const down = h.normalize({ key: 'k', current: 6, desired: 2, min: 1, max: 10, now: T0 + 60_000 });
  assert.equal(down.replicas, 20 > 10 ? 10 : 20, 'the recent recommendation of 20 holds, capped by max');
  assert.equal(down.ableToScale.reason, 'ScaleDownStabilized');
  const later = h.normalize({ key: 'k', current: 6, desired: 2, min: 1, max: 10, now: T0 + 301_000 });
  assert.equal(later.replicas, 2);
});

test('with behavior: default scale-up policies allow the larger of +100% and +4 pods', () => {
  const h = new ScaleHistory();
  const r = h.normalize({ key: 'k', current: 1, desired: 10, min: 1, max: 20, behavior: {}, now: T0 });
  assert.equal(r.replicas, 5);
  assert.equal(r.scalingLimited.reason, 'ScaleUpLimit');
  h.recordScale('k', {}, 1, 5, T0);
  const again = h.normalize({ key: 'k', current: 5, desired: 10, min: 1, max: 20, behavior: {}, now: T0 + 5000 });
  assert.equal(again.replicas, 5, 'the period already used its +4');
  const next = h.normalize({ key: 'k', current: 5, desired: 10, min: 1, max: 20, behavior: {}, now: T0 + 16_000 });
  assert.equal(next.replicas, 10);
});

test('with behavior: a fresh controller seeds the down window with the current size', () => {
  const h = new ScaleHistory();
  const r = h.normalize({ key: 'k', current: 4, desired: 1, min: 1, max: 10, behavior: {}, now: T0 });
  assert.equal(r.replicas, 4);
  assert.deepEqual(r.ableToScale, { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
  const zeroWindow = new ScaleHistory();
  const z = zeroWindow.normalize({ key: 'k', current: 4, desired: 1, min: 1, max: 10, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } }, now: T0 });
  assert.equal(z.replicas, 1);
});

test('scale-up stabilization takes the lowest recent recommendation', () => {
  const h = new ScaleHistory();
  const behavior = { scaleUp: { stabilizationWindowSeconds: 60 }, scaleDown: { stabilizationWindowSeconds: 0 } };
  h.normalize({ key: 'k', current: 2, desired: 3, min: 1, max: 10, behavior, now: T0 });
  const r = h.normalize({ key: 'k', current: 2, desired: 8, min: 1, max: 10, behavior, now: T0 + 15_000 });
  assert.equal(r.replicas, 3);
  assert.equal(r.ableToScale.reason, 'ScaleUpStabilized');
});

test('policy limits: Pods and Percent, Min and Max selection, Disabled', () => {
  const up = scaleUpRules({ policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }], selectPolicy: 'Min' });
  assert.equal(scaleUpLimit(10, [], up, T0), 12);
  assert.equal(scaleUpLimit(10, [], { ...up, selectPolicy: 'Max' }, T0), 15);
  assert.equal(scaleUpLimit(10, [], { ...up, selectPolicy: 'Disabled' }, T0), 10);
  const down = scaleDownRules({ policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }] });
  assert.equal(down.stabilizationWindowSeconds, 300);
  assert.equal(scaleDownLimit(10, [], down, T0), 5, 'Max lets the most pods go');
  assert.equal(scaleDownLimit(10, [], { ...down, selectPolicy: 'Min' }, T0), 8);
  assert.equal(scaleDownLimit(10, [{ change: 2, at: T0 - 1000 }], { ...down, selectPolicy: 'Min' }, T0), 10, 'the period already removed 2');
});
