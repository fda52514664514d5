// SPDX-License-Identifier: Apache-2.0
/**
 * What a create, an update and a delete change before they are written:
 * server-owned metadata reset on create (upstream's BeforeCreate), which fields
 * each subresource may change, defaults and generation (upstream's
 * strategies' PrepareForUpdate), and how a delete marks an object for
 * finalizers and grace periods (BeforeDelete and deletion propagation).
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/index.js';
import { deepClone } from '../../api/index.js';
import type { ResourceDefinition } from '../definitions/definition.js';
import { INTERNAL_FULL_UPDATE, type DeleteRequest } from './registry-types.js';
import type { RequestContext } from './request-context.js';
import { generateName, rfc3339, specChanged } from './object-meta.js';

/**
 * prepareCreate resets server-owned fields whatever the client sent, names a
 * generateName object, defaults and runs the strategy's PrepareForCreate;
 * it returns whether the name was generated (a collision is retried).
 */
export function prepareCreate(def: ResourceDefinition, obj: KubeObject, ctx: RequestContext, now: Date): boolean {
  const meta = obj.metadata;
    delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.resourceVersion;
  delete meta.selfLink;
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(now);
  if (def.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  // Status is the system's to write; a Node registers with its status (capacity), as upstream allows.
  if (def.info.subresources.includes('status') && !def.keepsStatusOnCreate) delete obj.status;
  const generated = !meta.name && !!meta.generateName;
  if (generated) meta.name = generateName(meta.generateName!);
  // Upstream defaults at decode time, before the strategy's PrepareForCreate.
  def.strategy.default?.(obj);
  def.strategy.prepareForCreate?.(obj, ctx);
  return generated;
}

/** Builds the object to store from the requested one (what the caller may change, defaults, generation). */
export function prepareUpdate(def: ResourceDefinition, requested: KubeObject, old: KubeObject, subresource?: string): KubeObject {
  const strategy = def.strategy;
  let next: KubeObject;
  const own = subresource ? strategy.subresources?.[subresource] : undefined;
  if (own) {
    next = own.prepareForUpdate(requested, old);
  } else if (subresource === 'status' || subresource === 'approval') {
    // A status write changes status (and annotations: upstream's status strategies keep spec and
    // labels but take annotations, which is how the deployment controller records revisions
    // without bumping generation). `approval` (CSRs) is a status write the strategy narrows.
    next = copyWithStatus(old, requested.status);
    if (requested.metadata.annotations !== undefined) next.metadata.annotations = requested.metadata.annotations;
    strategy.prepareForStatusUpdate?.(next, old, subresource);
  } else if (subresource === 'finalize') {
    // namespaces/finalize changes spec.finalizers only.
    next = deepClone(old);
    const spec = (next.spec ?? (next.spec = {})) as { finalizers?: string[] };
    spec.finalizers = (requested.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  } else if (subresource === INTERNAL_FULL_UPDATE) {
    next = requested;
    next.metadata.generation = old.metadata.generation;
  } else {
    next = requested;
    const m = next.metadata;
    const o = old.metadata;
    m.name = o.name;
    m.namespace = o.namespace;
    m.uid = o.uid;
    m.creationTimestamp = o.creationTimestamp;
    m.deletionTimestamp = o.deletionTimestamp;
    m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
    m.generation = o.generation;
    delete m.selfLink;
    if (def.info.subresources.includes('status')) next.status = old.status;
    strategy.prepareForUpdate?.(next, old);
    strategy.default?.(next);
    if (def.tracksGeneration && specChanged(next, old)) m.generation = (o.generation ?? 0) + 1;
  }
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  return next;
}

/**
 * copyWithStatus is deepClone(old) with its status replaced: a status write
 * replaces the status whole, so the old one (often most of a pod) is not
 * copied first. Fields keep their order (status where it was, else last).
 */
function copyWithStatus(old: KubeObject, status: unknown): KubeObject {
  const src = old as Record<string, unknown>;
  const proto = Object.getPrototypeOf(src);
  if (proto !== Object.prototype && proto !== null) return Object.assign(deepClone(old), { status });
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) out[k] = k === 'status' ? undefined : deepClone(src[k]);
  out.status = status;
  return out as KubeObject;
}

/**
 * markForDeletion decides between removing the object now and marking it
 * (deletionTimestamp) so finalizers or the kubelet finish the job, the way
 * upstream's BeforeDelete and deletion-propagation logic do.
 */
export function markForDeletion(def: ResourceDefinition, obj: KubeObject, req: DeleteRequest, now: Date): { keep: boolean; dirty: boolean } {
  const m = obj.metadata;
  let dirty = false;
  const policy = req.propagationPolicy ?? (req.orphanDependents ? 'Orphan' : undefined);
  const finalizers = new Set(m.finalizers ?? []);
  // Added once, when deletion starts; the controller that removes it finishes the delete.
  for (const f of m.deletionTimestamp ? [] : (def.deletionFinalizers ?? [])) {
    if (!finalizers.has(f)) {
      finalizers.add(f);
      dirty = true;
    }
  }
  if (policy === 'Orphan' && !finalizers.has('orphan')) {
    finalizers.add('orphan');
    finalizers.delete('foregroundDeletion');
    dirty = true;
  } else if (policy === 'Foreground' && !finalizers.has('foregroundDeletion')) {
    finalizers.add('foregroundDeletion');
    finalizers.delete('orphan');
    dirty = true;
  } else if (policy === 'Background' && (finalizers.has('orphan') || finalizers.has('foregroundDeletion'))) {
    finalizers.delete('orphan');
    finalizers.delete('foregroundDeletion');
    dirty = true;
  }
  if (dirty) m.finalizers = [...finalizers];
  const grace = def.gracePeriod?.(obj, req.gracePeriodSeconds) ?? 0;
  const specHeld = hasSpecFinalizers(def, obj);
  if (grace === 0 && finalizers.size === 0 && !specHeld) return { keep: false, dirty };
  if (specHeld && (obj.status as { phase?: string } | undefined)?.phase !== 'Terminating') {
    // A namespace being deleted turns Terminating until the namespace controller empties it.
    obj.status = { ...((obj.status as object | undefined) ?? {}), phase: 'Terminating' };
    dirty = true;
  }
  if (!m.deletionTimestamp) {
    m.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    m.deletionGracePeriodSeconds = grace;
    dirty = true;
  } else if (m.deletionGracePeriodSeconds !== undefined && grace < m.deletionGracePeriodSeconds) {
    // A second delete may only shorten the grace period.
    m.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    m.deletionGracePeriodSeconds = grace;
    dirty = true;
  }
  if (grace === 0 && finalizers.size === 0 && !specHeld) return { keep: false, dirty };
  return { keep: true, dirty };
}

/** hasSpecFinalizers: namespaces carry finalizers in spec too (`kubernetes`), which hold their deletion. */
export function hasSpecFinalizers(def: ResourceDefinition, obj: KubeObject): boolean {
  return (def.specFinalizers?.(obj).length ?? 0) > 0;
}

/** releasedByFinalizers: an object being deleted goes once its last finalizer is removed. */
export function releasedByFinalizers(def: ResourceDefinition, next: KubeObject): boolean {
  if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length) && !hasSpecFinalizers(def, next)) {
    // Upstream: an object being deleted is removed once its finalizers are gone,
    // and for graceful kinds (pods) only once the grace period was cut to zero by the kubelet.
    if (!def.gracePeriod) return true;
    if (next.metadata.deletionGracePeriodSeconds === 0) return true;
  }
  return false;
}
