// SPDX-License-Identifier: Apache-2.0
/**
 * The scheduler's writes to pods: the binding, the PodScheduled=False
 * condition of an unschedulable pod, and the eviction of preemption victims.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isNotFound, rfc3339 } from '../machinery/index.js';

/** bindPod writes a Binding of the pod to a node through pods/binding. */
export async function bindPod(client: Client, pod: Pod, nodeName: string): Promise<void> {
  const name = pod.metadata!.name!;
  const namespace = pod.metadata!.namespace!;
  const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid: pod.metadata?.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } };
  await client.create(R.pods, binding as KubeObject, { namespace, subresource: 'binding' });
}

/**
 * recordUnschedulable sets PodScheduled=False/Unschedulable with the fit
 * error as message, unless the pod already says exactly that (upstream
 * updatePod skips no-op condition updates).
 */
export async function recordUnschedulable(client: Client, pod: Pod, message: string): Promise<void> {
  const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (cur && cur.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
  // A new message with the same status keeps the transition time (upstream podutil.UpdatePodCondition).
  const lastTransitionTime = cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : rfc3339(Date.now());
  const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime };
  try {
    await client.patch(R.pods, pod.metadata!.name!, 'strategic', { status: { conditions: [condition] } }, { namespace: pod.metadata!.namespace, subresource: 'status' });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** evictVictim marks a preemption victim with DisruptionTarget (as upstream) and deletes it gracefully. */
export async function evictVictim(client: Client, pod: Pod, schedulerName: string): Promise<void> {
  const opts = { namespace: pod.metadata!.namespace };
  const condition = {
    type: 'DisruptionTarget',
    status: 'True',
    reason: 'PreemptionByScheduler',
    message: `${schedulerName}: preempting to accommodate a higher priority pod`,
    lastTransitionTime: rfc3339(Date.now()),
  };
  try {
    await client.patch(R.pods, pod.metadata!.name!, 'strategic', { status: { conditions: [condition] } }, { ...opts, subresource: 'status' });
    await client.delete(R.pods, pod.metadata!.name!, opts);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
