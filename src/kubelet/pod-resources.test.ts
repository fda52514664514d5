// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podCgroupConfig } from './pod-resources.js';

const Mi = 1024 * 1024;
const pod = (containers: object[], initContainers: object[] = []): Pod => ({ spec: { containers, initContainers } } as Pod);

test('pod cgroup config is the pod total, as upstream ResourceConfigForPod', () => {
  const limited = (cpu: string, mem: string) => ({ name: 'c', resources: { limits: { cpu, memory: mem } } });
  assert.deepEqual(podCgroupConfig(pod([limited('500m', '64Mi'), limited('250m', '32Mi')])), { cpuShares: 768, cpuQuotaUs: 75_000, memoryLimitBytes: 96 * Mi });
  // A larger init container raises the total.
  assert.deepEqual(podCgroupConfig(pod([limited('100m', '16Mi')], [limited('1', '128Mi')])), { cpuShares: 1024, cpuQuotaUs: 100_000, memoryLimitBytes: 128 * Mi });
  // One container without limits: no pod-level limit, shares from requests.
  assert.deepEqual(podCgroupConfig(pod([limited('500m', '64Mi'), { name: 'd', resources: { requests: { cpu: '100m' } } }])), { cpuShares: 614 });
  assert.deepEqual(podCgroupConfig(pod([{ name: 'be' }])), { cpuShares: 2 });
});
