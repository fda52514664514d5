// SPDX-License-Identifier: Apache-2.0
/**
 * pods/binding: the scheduler's way to place a pod. Sets spec.nodeName once
 * and marks PodScheduled=True, as upstream's BindingREST does; a pod that
 * is already bound answers 409.
 */
import type { KubeObject } from '../../api/index.js';
import { isPlainObject } from '../../api/index.js';
import { StatusError, newBadRequest, newStatus } from '../../machinery/index.js';
import { INTERNAL_FULL_UPDATE, rfc3339, type ResourceRegistry } from '../registry/resource-registry.js';
import type { RequestContext } from '../registry/request-context.js';

interface PodCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export async function bindPod(reg: ResourceRegistry, ctx: RequestContext, name: string, body: KubeObject): Promise<KubeObject> {
  const target = body.target;
  if (!isPlainObject(target) || typeof target.name !== 'string' || target.name === '') {
    throw newBadRequest('binding target.name is required');
  }
  if (body.metadata?.name && body.metadata.name !== name) {
    throw newBadRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  }
  const nodeName = target.name;
  await reg.patchWith(
    ctx,
    name,
    (pod) => {
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) throw new StatusError(409, 'Conflict', `pod ${name} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName) throw new StatusError(409, 'Conflict', `pod ${name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = nodeName;
      pod.spec = spec;
      const status = (pod.status ?? {}) as { conditions?: PodCondition[] };
      const conds = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(new Date()) });
      status.conditions = conds;
      pod.status = status;
      return pod;
    },
    INTERNAL_FULL_UPDATE,
  );
  return newStatus({ status: 'Success', code: 201 }) as unknown as KubeObject;
}
