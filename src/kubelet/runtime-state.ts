// SPDX-License-Identifier: Apache-2.0
/**
 * What the runtime holds for one pod, read through CRI labels (upstream's
 * kubecontainer.Pod built by GetPods from the io.kubernetes.pod.uid label).
 */
import type { RuntimeService } from './cri/runtime-service.js';
import type { ContainerStatus, PodSandbox } from './cri/cri-types.js';
import { POD_UID_LABEL } from './cri-labels.js';
import type { RunningContainer } from './probe-manager.js';

/** RuntimeContainer is a container's runtime status with the sandbox it belongs to. */
export type RuntimeContainer = ContainerStatus & { pod_sandbox_id: string };

/** PodRuntimeState is what the runtime holds for one pod, newest first. */
export interface PodRuntimeState {
  sandboxes: PodSandbox[];
  containers: RuntimeContainer[];
}

/** newest sorts runtime objects by creation time, newest first. */
export function newest<T extends { created_at: string }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => (BigInt(b.created_at) > BigInt(a.created_at) ? 1 : BigInt(b.created_at) < BigInt(a.created_at) ? -1 : 0));
}

/** observePod lists a pod's sandboxes and container statuses from the runtime. */
export async function observePod(rt: RuntimeService, uid: string): Promise<PodRuntimeState> {
  const sel = { label_selector: { [POD_UID_LABEL]: uid } };
  const [{ items }, { containers }] = await Promise.all([rt.listPodSandbox({ filter: sel }), rt.listContainers({ filter: sel })]);
  const statuses = await Promise.all(containers.map((c) => rt.containerStatus({ container_id: c.id })
    .then((r) => (r.status ? { ...r.status, pod_sandbox_id: c.pod_sandbox_id } : null))
    .catch(() => null)));
  return { sandboxes: newest(items), containers: newest(statuses.filter((s): s is RuntimeContainer => !!s)) };
}

/**
 * refreshPod re-reads the status of a pod's containers after a sync acted on
 * them: those in state plus the ones the sync created (in sandboxId). Only
 * the pod's own worker creates its containers, so no relist is needed to
 * find them; the sandboxes are as state has them (the sync does not touch them).
 */
export async function refreshPod(rt: RuntimeService, state: PodRuntimeState, created: string[], sandboxId: string): Promise<PodRuntimeState> {
  const ids = [...state.containers.map((c) => [c.id, c.pod_sandbox_id]), ...created.map((id) => [id, sandboxId])];
  const statuses = await Promise.all(ids.map(([id, sandbox]) => rt.containerStatus({ container_id: id })
    .then((r) => (r.status ? { ...r.status, pod_sandbox_id: sandbox } : null))
    .catch(() => null)));
  return { sandboxes: state.sandboxes, containers: newest(statuses.filter((s): s is RuntimeContainer => !!s)) };
}

/** runningOf maps container name to its running instance in one sandbox (the newest). */
export function runningOf(state: PodRuntimeState, sandboxId: string): Map<string, RunningContainer> {
  const out = new Map<string, RunningContainer>();
  for (const c of state.containers) {
    if (c.state !== 'CONTAINER_RUNNING' || c.pod_sandbox_id !== sandboxId) continue;
    const name = c.metadata?.name ?? '';
    if (!out.has(name)) out.set(name, { id: c.id, startedAtMs: Number(BigInt(c.started_at) / 1_000_000n) });
  }
  return out;
}
