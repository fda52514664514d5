// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newPodInfo } from '../framework/pod-info.js';
import { Framework } from '../framework/framework.js';
import { SchedulerCache } from '../scheduler-cache.js';
import { makeNode, makePod } from '../testdata/objects.js';
import { interPodAffinity } from './inter-pod-affinity.js';
import { podTopologySpread } from './pod-topology-spread.js';

function cluster(zones: Record<string, string>, pods: Pod[]): SchedulerCache {
  const c = new SchedulerCache();
  for (const [n, z] of Object.entries(zones)) c.upsertNode(makeNode(n, { labels: { zone: z } }));
  for (const p of pods) c.upsertBoundPod(p);
  return c;
}

function feasible(c: SchedulerCache, pod: Pod, plugin = interPodAffinity): string[] {
  const fw = new Framework({ filters: [plugin], scorers: [] });
  const state = new Map<string, unknown>();
  const filters = fw.runPreFilters(state, newPodInfo(pod), c);
  if (!Array.isArray(filters)) return [];
  return c.nodes.filter((n) => !fw.runFilters(state, newPodInfo(pod), n, filters)).map((n) => n.name);
}

const web = { matchLabels: { app: 'web' } };

test('required anti-affinity keeps pods of a group apart per topology domain', () => {
  const c = cluster({ a: 'z1', b: 'z1', c: 'z2' }, [makePod('w1', { nodeName: 'a', labels: { app: 'web' } })]);
  const pod = makePod('w2', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: web, topologyKey: 'zone' }] } } } });
  assert.deepEqual(feasible(c, pod), ['c']);
});

test("existing pods' anti-affinity repels the incoming pod", () => {
  const guard = makePod('g', { nodeName: 'a', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: web, topologyKey: 'kubernetes.io/hostname' }] } } } });
  const c = cluster({ a: 'z1', b: 'z1' }, [guard]);
  assert.deepEqual(feasible(c, makePod('w', { labels: { app: 'web' } })), ['b']);
});

test('required affinity follows matching pods; the first pod of a self-matching group may go anywhere', () => {
  const aff = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: web, topologyKey: 'zone' }] } };
  const c = cluster({ a: 'z1', b: 'z1', c: 'z2' }, [makePod('w1', { nodeName: 'c', labels: { app: 'web' } })]);
  assert.deepEqual(feasible(c, makePod('w2', { labels: { app: 'web' }, spec: { affinity: aff } })), ['c']);
  const empty = cluster({ a: 'z1', c: 'z2' }, []);
  assert.deepEqual(feasible(empty, makePod('w3', { labels: { app: 'web' }, spec: { affinity: aff } })), ['a', 'c']);
  assert.deepEqual(feasible(empty, makePod('x', { spec: { affinity: aff } })), []);
});

test('PodTopologySpread DoNotSchedule enforces maxSkew across zones', () => {
  const c = cluster({ a: 'z1', b: 'z2', c: 'z3' }, [makePod('w1', { nodeName: 'a', labels: { app: 'web' } }), makePod('w2', { nodeName: 'b', labels: { app: 'web' } })]);
  const pod = makePod('w3', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: web }] } });
  assert.deepEqual(feasible(c, pod, podTopologySpread), ['c']);
  const noZone = new SchedulerCache();
  noZone.upsertNode(makeNode('x'));
  const fw = new Framework({ filters: [podTopologySpread], scorers: [] });
  const r = fw.schedule(newPodInfo(pod), noZone);
  assert.ok(!r.node && r.diagnosis.nodeFailures.get('x')?.reasons[0] === "node(s) didn't match pod topology spread constraints (missing required label)");
});
