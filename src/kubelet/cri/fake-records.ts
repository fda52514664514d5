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
