// SPDX-License-Identifier: Apache-2.0
/** The records FakeRuntime keeps per sandbox and container, and the helpers its RPCs share. */
import type * as cri from './cri-types.js';

/** FakeCall is one recorded call: the RPC name and its request. */
export interface FakeCall {
  method: string;
  request: unknown;
}

export interface FakeSandbox {
  id: string;
  config: cri.PodSandboxConfig;
  state: cri.PodSandboxState;
  createdAt: bigint;
  ip: string;
}

export interface FakeContainer {
  id: string;
  sandboxId: string;
  config: cri.ContainerConfig;
  imageId: string;
  state: cri.ContainerState;
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  reason: string;
  resources: cri.LinuxContainerResources;
}

export const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

export function matchesLabels(labels: cri.StringMap | undefined, selector: cri.StringMap | undefined): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function fakeStats(c: FakeContainer): cri.ContainerStats {
  const ts = String(nowNs());
  return {
    attributes: { id: c.id, metadata: c.config.metadata, labels: c.config.labels ?? {}, annotations: c.config.annotations ?? {} },
    cpu: { timestamp: ts, usage_core_nano_seconds: { value: '0' }, usage_nano_cores: { value: '0' } },
    memory: {
      timestamp: ts, working_set_bytes: { value: '0' }, available_bytes: null, usage_bytes: { value: '0' },
      rss_bytes: null, page_faults: null, major_page_faults: null,
    },
    writable_layer: null,
  };
}
