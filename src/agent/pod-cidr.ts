// SPDX-License-Identifier: Apache-2.0
/**
 * nodePodCIDR learns this node's pod range before containerd starts (its
 * CNI bridge network needs it). The range comes from the server's node IPAM
 * controller, as upstream: the agent registers its Node early if it does not
 * exist yet (the kubelet completes it later) and waits for spec.podCIDR,
 * as the kubelet waits for its podCIDR before the network is ready.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isAlreadyExists, isNotFound } from '../machinery/index.js';
import { nodeLabels } from '../kubelet/index.js';

/** nodePodCIDR returns the node's podCIDR, registering the Node and waiting for the allocator if needed. */
export async function nodePodCIDR(client: Client, nodeName: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  // The allocator usually answers within milliseconds of the Node's creation (the server starts both together),
  // and containerd waits on this: poll quickly at first, then back off to 200 ms.
  let pollMs = 10;
  for (;;) {
    try {
      const node = await client.get<KubeObject & Node>(R.nodes, nodeName);
      if (node.spec?.podCIDR) return node.spec.podCIDR;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, labels: nodeLabels(nodeName) }, spec: {} };
      await client.create(R.nodes, node).catch((e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
      });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`node ${nodeName} got no podCIDR from the server's node IPAM controller within ${opts.timeoutMs ?? 60_000} ms`);
    if (opts.signal?.aborted) throw new Error('aborted while waiting for a podCIDR');
    await sleep(pollMs);
    pollMs = Math.min(200, pollMs * 2);
  }
}
