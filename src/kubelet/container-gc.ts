// SPDX-License-Identifier: Apache-2.0
/**
 * Container garbage collection within one pod, as upstream
 * kuberuntime_gc.go with MaxPerPodContainer 1: the current instance and
 * the previous one of each container are kept (for `logs --previous`),
 * older dead instances are removed.
 */
import type { RuntimeService } from './cri/runtime-service.js';
import type { ContainerStatus } from './cri/cri-types.js';
import { CONTAINER_NAME_LABEL } from './cri-labels.js';
import type { PodRuntimeState } from './runtime-state.js';

/** removeOldInstances removes dead instances beyond the newest two of each container name. */
export async function removeOldInstances(runtime: RuntimeService, state: PodRuntimeState): Promise<void> {
  const byName = new Map<string, ContainerStatus[]>();
  for (const c of state.containers) {
    const name = c.labels?.[CONTAINER_NAME_LABEL] ?? c.metadata?.name ?? '';
    byName.set(name, [...(byName.get(name) ?? []), c]);
  }
  for (const list of byName.values()) {
    for (const old of list.slice(2)) {
      if (old.state !== 'CONTAINER_RUNNING') await runtime.removeContainer({ container_id: old.id }).catch(() => undefined);
    }
  }
}
