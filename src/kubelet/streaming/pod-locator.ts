// SPDX-License-Identifier: Apache-2.0
/**
 * Finding a pod's CRI sandbox and containers by name, from the labels the
 * kubelet puts on every sandbox and container (upstream's
 * pkg/kubelet/types/labels.go: io.kubernetes.pod.{name,namespace,uid},
 * io.kubernetes.container.name). Reading CRI directly keeps the streaming
 * server independent of the pod workers' in-memory state and right after a
 * kubelet restart.
 */
import type { RuntimeService } from '../cri/runtime-service.js';
import type { Container, PodSandbox } from '../cri/cri-types.js';

/** Upstream's CRI label keys. */
export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';

/** LocateError is a pod or container that is not there; `code` is the HTTP status to answer with. */
export class LocateError extends Error {
  override readonly name = 'LocateError';
  constructor(readonly code: 400 | 404, message: string) {
    super(message);
  }
}

const newestFirst = (a: { created_at: string }, b: { created_at: string }): number => {
  const d = BigInt(b.created_at || '0') - BigInt(a.created_at || '0');
  return d > 0n ? 1 : d < 0n ? -1 : 0;
};

/** PodLocator answers "which sandbox / container is this pod's" from CRI. */
export class PodLocator {
  constructor(private readonly runtime: RuntimeService) {}

  /** sandboxes lists the pod's sandboxes, ready ones first, newest first; `uid` narrows to one pod incarnation. */
  async sandboxes(namespace: string, name: string, uid?: string): Promise<PodSandbox[]> {
    const labels: Record<string, string> = { [POD_NAMESPACE_LABEL]: namespace, [POD_NAME_LABEL]: name };
    if (uid) labels[POD_UID_LABEL] = uid;
    const { items } = await this.runtime.listPodSandbox({ filter: { label_selector: labels } });
    return items.sort((a, b) => Number(b.state === 'SANDBOX_READY') - Number(a.state === 'SANDBOX_READY') || newestFirst(a, b));
  }

  /** sandbox is the pod's current sandbox, preferring a ready one. */
  async sandbox(namespace: string, name: string, uid?: string): Promise<PodSandbox> {
    const [s] = await this.sandboxes(namespace, name, uid);
    if (!s) throw new LocateError(404, `pod "${name}" in namespace "${namespace}" not found on this node`);
    return s;
  }

  /**
   * container finds a container of the pod: the newest instance, or with
   * `previous` the one before it (the last terminated instance, what
   * `kubectl logs --previous` reads), as upstream's kubelet does.
   */
  async container(namespace: string, name: string, containerName: string, opts: { previous?: boolean; uid?: string } = {}): Promise<Container> {
    const sandboxes = await this.sandboxes(namespace, name, opts.uid);
    // With a uid the API server has already seen the pod bound here: no sandbox yet means it is still starting.
    if (sandboxes.length === 0 && opts.uid) throw new LocateError(400, `container "${containerName}" in pod "${name}" is waiting to start: ContainerCreating`);
    if (sandboxes.length === 0) throw new LocateError(404, `pod "${name}" in namespace "${namespace}" not found on this node`);
    const sameUid = sandboxes[0].labels[POD_UID_LABEL];
    const found: Container[] = [];
    for (const s of sandboxes) {
      if (sameUid && s.labels[POD_UID_LABEL] !== sameUid) continue;
      const { containers } = await this.runtime.listContainers({ filter: { pod_sandbox_id: s.id, label_selector: { [CONTAINER_NAME_LABEL]: containerName } } });
      found.push(...containers);
    }
    found.sort((a, b) => (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0) || newestFirst(a, b));
    const c = found[opts.previous ? 1 : 0];
    if (c) return c;
    if (opts.previous) throw new LocateError(400, `previous terminated container "${containerName}" in pod "${name}" not found`);
    throw new LocateError(400, `container "${containerName}" in pod "${name}" is waiting to start: ContainerCreating`);
  }
}
