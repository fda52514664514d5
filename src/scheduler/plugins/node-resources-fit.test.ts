// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod } from '../testdata/objects.js';
import { fitFailureReasons, nodeResourcesFit } from './node-resources-fit.js';
import { balancedAllocation } from './balanced-allocation.js';

test('NodeResourcesFit subtracts the requests of pods already on the node', () => {
  const ni = new NodeInfo(makeNode('n', { cpu: '1', memory: '1Gi' }));
  ni.addPod(newPodInfo(makePod('a', { cpu: '500m' })));
  ni.addPod(newPodInfo(makePod('b', { cpu: '500m' })));
  assert.deepEqual(fitFailureReasons(newPodInfo(makePod('c', { cpu: '500m', memory: '2Gi' })), ni), ['Insufficient cpu', 'Insufficient memory']);
  assert.deepEqual(fitFailureReasons(newPodInfo(makePod('d')), ni), []);
  ni.removePod(newPodInfo(makePod('a', { cpu: '500m' })));
  assert.equal(nodeResourcesFit.filter!(new Map(), newPodInfo(makePod('c', { cpu: '500m' })), ni), null);
});

test('NodeResourcesFit checks the pod count and extended resources', () => {
  const ni = new NodeInfo(makeNode('n', { pods: 1, extra: { 'example.com/gpu': '1' } }));
  ni.addPod(newPodInfo(makePod('a')));
  const gpuPod = makePod('g', { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '2' } } }] });
  assert.deepEqual(fitFailureReasons(newPodInfo(gpuPod), ni), ['Too many pods', 'Insufficient example.com/gpu']);
});

test('LeastAllocated prefers the emptier node; BalancedAllocation the balanced one', () => {
  const empty = new NodeInfo(makeNode('e', { cpu: '4', memory: '4Gi' }));
  const busy = new NodeInfo(makeNode('b', { cpu: '4', memory: '4Gi' }));
  busy.addPod(newPodInfo(makePod('x', { cpu: '2', memory: '1Gi' })));
  const pod = newPodInfo(makePod('p', { cpu: '1', memory: '1Gi' }));
  assert.ok(nodeResourcesFit.score!(new Map(), pod, empty) > nodeResourcesFit.score!(new Map(), pod, busy));
  assert.ok(balancedAllocation.score!(new Map(), pod, empty) > balancedAllocation.score!(new Map(), pod, busy));
});
