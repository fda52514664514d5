// SPDX-License-Identifier: Apache-2.0
/**
 * pods/binding: the scheduler's way to place a pod. Sets spec.nodeName once,
 * adds the Binding's annotations and marks PodScheduled=True, as upstream's
 * BindingREST does; a pod that is already bound answers 409, and so does one
 * whose uid or resourceVersion differs from the Binding's (preconditions).
 * Like upstream, the pod is written straight to storage (GuaranteedUpdate):
 * the request was admitted as a Binding, and the pod write itself runs no
 * pod validation, admission or managedFields update, which keeps binding,
 * the scheduler's one write per pod, cheap.
 */
import type { KubeObject } from '../../api/index.js';
import { isPlainObject } from '../../api/index.js';
import { newBadRequest, newConflict, newStatus } from '../../machinery/index.js';
import { rfc3339, type ResourceRegistry } from '../registry/resource-registry.js';
import type { RequestContext } from '../registry/request-context.js';

interface PodCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

const BINDING = { group: '', resource: 'pods/binding' };

export async function bindPod(reg: ResourceRegistry, ctx: RequestContext, name: string, body: KubeObject): Promise<KubeObject> {
  const target = body.target;
  if (!isPlainObject(target) || typeof target.name !== 'string' || target.name === '') {
    throw newBadRequest('binding target.name is required');
  }
  if (body.metadata?.name && body.metadata.name !== name) {
    throw newBadRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  }
  const nodeName = target.name;
  const uid = body.metadata?.uid;
  const resourceVersion = body.metadata?.resourceVersion;
  const annotations = isPlainObject(body.metadata?.annotations) ? (body.metadata.annotations as Record<string, string>) : undefined;
  await reg.storageUpdate(ctx, name, (pod) => {
    if (uid && pod.metadata.uid !== uid) throw newConflict(reg.gr, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid ?? ''}`);
    if (resourceVersion && pod.metadata.resourceVersion !== resourceVersion) {
      throw newConflict(reg.gr, name, `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion ?? ''}`);
    }
    const spec = (pod.spec ?? {}) as { nodeName?: string };
    // Upstream's assignPod reports these on the pods/binding resource.
    if (pod.metadata.deletionTimestamp) throw newConflict(BINDING, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName) throw newConflict(BINDING, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    spec.nodeName = nodeName;
    pod.spec = spec;
    if (annotations && Object.keys(annotations).length) pod.metadata.annotations = { ...pod.metadata.annotations, ...annotations };
    const status = (pod.status ?? {}) as { conditions?: PodCondition[] };
    const conds = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(new Date()) });
    status.conditions = conds;
    pod.status = status;
    return pod;
  });
  return newStatus({ status: 'Success', code: 201 }) as unknown as KubeObject;
}
