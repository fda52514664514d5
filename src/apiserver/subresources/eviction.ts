// SPDX-License-Identifier: Apache-2.0
/**
 * pods/eviction: delete a pod unless a PodDisruptionBudget forbids it, as
 * upstream's EvictionREST does: every PDB selecting the pod must allow a
 * disruption; the allowance is consumed (status.disruptionsAllowed - 1,
 * recorded in status.disruptedPods) before the pod is deleted.
 */
import type { KubeObject } from '../../api/index.js';
import { isPlainObject } from '../../api/index.js';
import { StatusError, newBadRequest, newStatus } from '../../machinery/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import { rfc3339, type ResourceRegistry } from '../registry/resource-registry.js';
import type { RequestContext } from '../registry/request-context.js';
import { selectorMatches } from '../../machinery/index.js';

interface PdbStatus {
  disruptionsAllowed?: number;
  disruptedPods?: Record<string, string>;
  observedGeneration?: number;
}

export async function evictPod(api: APIRegistry, pods: ResourceRegistry, ctx: RequestContext, name: string, body: KubeObject): Promise<KubeObject> {
  if (body.metadata?.name && body.metadata.name !== name) {
    throw newBadRequest(`name in URL does not match name in Eviction object`);
  }
  const pod = await pods.get(ctx, name);
  // The eviction is a create of pods/eviction that admission sees before any budget is charged
  // (NodeRestriction keeps a node to its own pods; webhooks may match the subresource), as upstream.
  const eviction: KubeObject = { ...body, metadata: { ...(body.metadata ?? {}), name, namespace: pod.metadata.namespace } };
  await api.admission.admit({ operation: 'CREATE', resource: pods.info, subresource: 'eviction', object: eviction, ctx });
  await api.admission.validate({ operation: 'CREATE', resource: pods.info, subresource: 'eviction', object: eviction, ctx });
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  // Terminal or already-deleting pods are not protected by budgets (upstream).
  const protectedPod = phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
  if (protectedPod) {
    const pdbs = api.require('policy', 'v1', 'poddisruptionbudgets');
    const list = await pdbs.list(ctx, {});
    const matching = list.items.filter((p) => selectorMatches((p.spec as { selector?: unknown } | undefined)?.selector, pod.metadata.labels ?? {}));
    if (matching.length > 1) {
      throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    for (const pdb of matching) {
      await pdbs.patchWith(
        ctx,
        pdb.metadata.name!,
        (cur) => {
          const st = (cur.status ?? {}) as PdbStatus;
          if ((st.observedGeneration ?? 0) < (cur.metadata.generation ?? 0) || (st.disruptionsAllowed ?? 0) < 1) {
            // Upstream answers without Retry-After (kubectl drain reports and retries on its own schedule)
            // and names the budget in a DisruptionBudget cause.
            const s = cur.status as { currentHealthy?: number; desiredHealthy?: number } | undefined;
            throw new StatusError(429, 'TooManyRequests', `Cannot evict pod as it would violate the pod's disruption budget.`, {
              causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${cur.metadata.name} needs ${s?.desiredHealthy ?? 0} healthy pods and has ${s?.currentHealthy ?? 0} currently` }],
            });
          }
          st.disruptionsAllowed = (st.disruptionsAllowed ?? 0) - 1;
          st.disruptedPods = { ...(st.disruptedPods ?? {}), [name]: rfc3339(new Date()) };
          cur.status = st;
          return cur;
        },
        'status',
      );
    }
  }
  const opts = isPlainObject(body.deleteOptions) ? (body.deleteOptions as { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } }) : {};
  await pods.delete(ctx, name, { gracePeriodSeconds: opts.gracePeriodSeconds, preconditions: opts.preconditions });
  return newStatus({ status: 'Success', code: 201 }) as unknown as KubeObject;
}
