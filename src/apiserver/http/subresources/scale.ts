// SPDX-License-Identifier: Apache-2.0
/**
 * The `scale` subresource: an autoscaling/v1 Scale view of a workload's
 * replicas (what `kubectl scale` and the HPA read and write).
 */
import type { KubeObject } from '../../../api/index.js';
import { newBadRequest, newConflict, conflictStaleMessage } from '../../../machinery/index.js';
import type { ResourceRegistry } from '../../registry/resource-registry.js';
import type { RequestContext } from '../../registry/request-context.js';
import { labelSelectorString } from '../../../machinery/index.js';

interface Scalable {
  spec?: { replicas?: number; selector?: unknown };
  status?: { replicas?: number };
}

/** scaleOf renders the Scale of a workload object. */
export function scaleOf(obj: KubeObject): KubeObject {
  const w = obj as KubeObject & Scalable;
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: w.spec?.replicas ?? 0 },
    status: { replicas: w.status?.replicas ?? 0, selector: labelSelectorString(w.spec?.selector) },
  };
}

export async function getScale(reg: ResourceRegistry, ctx: RequestContext, name: string): Promise<KubeObject> {
  return scaleOf(await reg.get(ctx, name));
}

/** updateScale applies `change` to the current Scale and writes the new replica count to the workload. */
export async function updateScale(reg: ResourceRegistry, ctx: RequestContext, name: string, change: (scale: KubeObject) => KubeObject): Promise<KubeObject> {
  const updated = await reg.patchWith(ctx, name, (current) => {
    const scale = scaleOf(current);
    const next = change(structuredClone(scale)) as KubeObject & { spec?: { replicas?: unknown } };
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw newConflict(reg.gr, name, conflictStaleMessage);
    const replicas = next.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw newBadRequest('Scale spec.replicas must be an integer');
    const out = current as KubeObject & Scalable;
    out.spec = { ...(out.spec ?? {}), replicas };
    return out;
  });
  return scaleOf(updated);
}
