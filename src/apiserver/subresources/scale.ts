// SPDX-License-Identifier: Apache-2.0
/**
 * The `scale` subresource: an autoscaling/v1 Scale view of a workload's
 * replicas (what `kubectl scale` and the HPA read and write). Built-in
 * workloads keep replicas at spec.replicas / status.replicas and their
 * selector at spec.selector; a custom resource names its paths
 * (specReplicasPath, statusReplicasPath, labelSelectorPath), as upstream's
 * customresource ScaleREST reads them.
 */
import type { KubeObject } from '../../api/index.js';
import { newBadRequest, newConflict, conflictStaleMessage } from '../../machinery/index.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { RequestContext } from '../registry/request-context.js';
import type { ScalePaths } from '../definitions/index.js';
import { labelSelectorString } from '../../machinery/index.js';

/** scaleOf renders the Scale of a workload object. */
export function scaleOf(obj: KubeObject, paths?: ScalePaths): KubeObject {
  const m = obj.metadata;
  const replicas = (p: string): number => {
    const v = readPath(obj, p);
    return typeof v === 'number' ? v : 0;
  };
  const selector = paths
    ? (paths.labelSelectorPath ? String(readPath(obj, paths.labelSelectorPath) ?? '') : '')
    : labelSelectorString((obj.spec as { selector?: unknown } | undefined)?.selector);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: replicas(paths?.specReplicasPath ?? '.spec.replicas') },
    status: { replicas: replicas(paths?.statusReplicasPath ?? '.status.replicas'), selector },
  };
}

export async function getScale(reg: ResourceRegistry, ctx: RequestContext, name: string): Promise<KubeObject> {
  return scaleOf(await reg.get(ctx, name), reg.definition.scale);
}

/** updateScale applies `change` to the current Scale and writes the new replica count to the workload. */
export async function updateScale(reg: ResourceRegistry, ctx: RequestContext, name: string, change: (scale: KubeObject) => KubeObject): Promise<KubeObject> {
  const paths = reg.definition.scale;
  const updated = await reg.patchWith(ctx, name, (current) => {
    const scale = scaleOf(current, paths);
    const next = change(structuredClone(scale)) as KubeObject & { spec?: { replicas?: unknown } };
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw newConflict(reg.gr, name, conflictStaleMessage);
    const replicas = next.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw newBadRequest('Scale spec.replicas must be an integer');
    writePath(current, paths?.specReplicasPath ?? '.spec.replicas', replicas);
    return current;
  });
  return scaleOf(updated, paths);
}

function segments(path: string): string[] {
  return path.replace(/^\./, '').split('.').filter(Boolean);
}

function readPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const s of segments(path)) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

function writePath(obj: KubeObject, path: string, value: unknown): void {
  const segs = segments(path);
  let v = obj as Record<string, unknown>;
  for (const s of segs.slice(0, -1)) {
    if (!v[s] || typeof v[s] !== 'object') v[s] = {};
    v = v[s] as Record<string, unknown>;
  }
  v[segs[segs.length - 1]!] = value;
}
