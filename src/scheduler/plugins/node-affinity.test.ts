// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod } from '../testdata/objects.js';
import { nodeAffinity } from './node-affinity.js';
import { nodeName } from './node-name.js';
import { nodePorts } from './node-ports.js';

const ssd = new NodeInfo(makeNode('ssd', { labels: { disk: 'ssd', gen: '5' } }));
const hdd = new NodeInfo(makeNode('hdd', { labels: { disk: 'hdd', gen: '3' } }));

test('nodeSelector must match every label', () => {
  const pod = newPodInfo(makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }));
  assert.equal(nodeAffinity.filter!(new Map(), pod, ssd), null);
  assert.deepEqual(nodeAffinity.filter!(new Map(), pod, hdd)?.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
});

test('required node affinity: terms ORed, expressions ANDed, Gt and matchFields', () => {
  const pod = newPodInfo(
    makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }, { key: 'disk', operator: 'Exists' }] },
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['nowhere'] }] },
              ],
            },
          },
        },
      },
    }),
  );
  assert.equal(nodeAffinity.filter!(new Map(), pod, ssd), null);
  assert.ok(nodeAffinity.filter!(new Map(), pod, hdd));
});

test('preferred node affinity scores matching nodes higher', () => {
  const pod = newPodInfo(
    makePod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] } }] } } } }),
  );
  const scores = [nodeAffinity.score!(new Map(), pod, ssd), nodeAffinity.score!(new Map(), pod, hdd)];
  nodeAffinity.normalizeScore!(new Map(), pod, scores);
  assert.deepEqual(scores, [0, 100]);
});

test('NodeName and NodePorts', () => {
  const named = newPodInfo(makePod('p', { nodeName: 'ssd' }));
  assert.equal(nodeName.filter!(new Map(), named, ssd), null);
  assert.deepEqual(nodeName.filter!(new Map(), named, hdd)?.reasons, ["node(s) didn't match the requested node name"]);
  const withPort = (n: string, ip?: string) => newPodInfo(makePod(n, { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, hostIP: ip }] }] }));
  const ni = new NodeInfo(makeNode('n'));
  ni.addPod(withPort('a', '10.0.0.1'));
  assert.equal(nodePorts.filter!(new Map(), withPort('b', '10.0.0.2'), ni), null);
  assert.deepEqual(nodePorts.filter!(new Map(), withPort('c'), ni)?.reasons, ["node(s) didn't have free ports for the requested pod ports"]);
});
