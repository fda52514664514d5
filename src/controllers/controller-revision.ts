// SPDX-License-Identifier: Apache-2.0
/**
 * ControllerRevision history, shared by the StatefulSet and DaemonSet
 * controllers (upstream pkg/controller/history): a revision stores the pod
 * template as the strategic merge patch `kubectl rollout undo` applies
 * (`{"spec":{"template":{..., "$patch":"replace"}}}`), is named
 * `<owner>-<hash>`, and carries a monotonically increasing `revision`.
 * Re-applying an old template reuses its revision with a new number, as
 * upstream does, so `rollout history` shows it as the latest.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { deepClone, deepEqual, type KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isAlreadyExists, isNotFound, compareStrings } from '../machinery/index.js';
import { newControllerRef } from './controller-ref.js';
import { computeHash, semantic } from './deployment/pod-template-hash.js';

/** CONTROLLER_REVISION_HASH_LABEL is the pod label naming the revision a pod was made from (apps/v1 ControllerRevisionHashLabelKey). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** REVISION_HASH_LABEL is the label StatefulSet revisions carry with their hash (history.ControllerRevisionHashLabel). */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** ControllerRevisionObj is an apps/v1 ControllerRevision. */
export interface ControllerRevisionObj extends KubeObject {
  data?: unknown;
  revision?: number;
}

/** templatePatch is the revision data for a pod template (upstream getPatch of the sts and ds controllers). */
export function templatePatch(template: PodTemplateSpec | undefined): unknown {
  return { spec: { template: { ...deepClone(template ?? {}), $patch: 'replace' } } };
}

/** templateHash hashes a template with the owner's collision count (upstream controller.ComputeHash). */
export function templateHash(template: PodTemplateSpec | undefined, collisionCount: number | undefined): string {
  return computeHash(template, collisionCount);
}

/** NewRevisionOptions describe a revision to build. */
export interface NewRevisionOptions {
  owner: KubeObject;
  apiVersion: string;
  kind: string;
  template: PodTemplateSpec | undefined;
  revision: number;
  collisionCount: number | undefined;
  /** hashLabel is the label that carries the hash on the revision (differs between sts and ds). */
  hashLabel: string;
}

/** newControllerRevision builds the revision of an owner's current template (upstream history.NewControllerRevision). */
export function newControllerRevision(o: NewRevisionOptions): ControllerRevisionObj {
  const hash = templateHash(o.template, o.collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(o.owner.metadata.name!, hash),
      namespace: o.owner.metadata.namespace,
      labels: { ...(o.template?.metadata?.labels ?? {}), [o.hashLabel]: hash },
      // Upstream copies the owner's annotations, so `rollout history` shows kubernetes.io/change-cause.
      annotations: { ...(o.owner.metadata.annotations ?? {}) },
      ownerReferences: [newControllerRef(o.owner, o.apiVersion, o.kind)],
    },
    data: templatePatch(o.template),
    revision: o.revision,
  };
}

/** revisionName is `<prefix>-<hash>`, the prefix cut so the name stays a valid DNS subdomain (upstream ControllerRevisionName). */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** hashOf reads a revision's hash from its label, or from its name. */
export function hashOf(cr: ControllerRevisionObj, hashLabel: string): string {
  return cr.metadata.labels?.[hashLabel] ?? cr.metadata.name!.slice(cr.metadata.name!.lastIndexOf('-') + 1);
}

/** sortRevisions orders revisions oldest first: by revision number, then creation, then name (upstream history.SortControllerRevisions). */
export function sortRevisions<T extends ControllerRevisionObj>(list: readonly T[]): T[] {
  const created = (o: KubeObject): number => Date.parse(o.metadata.creationTimestamp ?? '') || 0;
  return [...list].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || created(a) - created(b) || compareStrings(a.metadata.name!, b.metadata.name!));
}

/** nextRevision is one more than the highest revision number (1 for an empty history). */
export function nextRevision(list: readonly ControllerRevisionObj[]): number {
  return list.reduce((m, r) => Math.max(m, r.revision ?? 0), 0) + 1;
}

/** equalRevision compares revision data semantically (upstream history.EqualRevision compares the raw patch). */
export function equalRevision(a: ControllerRevisionObj, b: ControllerRevisionObj): boolean {
  return deepEqual(semantic(a.data), semantic(b.data));
}

/**
 * createControllerRevision creates cr, or returns the existing revision of
 * the same name when its data is equal. A namesake with other data is a
 * hash collision: the collision count goes up and the name is recomputed,
 * as upstream's realHistory.CreateControllerRevision does.
 */
export async function createControllerRevision(client: Client, o: NewRevisionOptions): Promise<{ revision: ControllerRevisionObj; collisionCount: number | undefined }> {
  let collisionCount = o.collisionCount;
  for (let attempt = 0; attempt < 100; attempt++) {
    const cr = newControllerRevision({ ...o, collisionCount });
    try {
      const created = await client.create<ControllerRevisionObj>(R.controllerrevisions, cr, { namespace: cr.metadata.namespace });
      return { revision: created, collisionCount };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await client.get<ControllerRevisionObj>(R.controllerrevisions, cr.metadata.name!, { namespace: cr.metadata.namespace });
      if (equalRevision(existing, cr) && existing.metadata.ownerReferences?.some((r) => r.uid === o.owner.metadata.uid)) return { revision: existing, collisionCount };
      collisionCount = (collisionCount ?? 0) + 1;
    }
  }
  throw new Error(`no free revision name for ${o.owner.metadata.name} after 100 hash collisions`);
}

/** updateRevisionNumber gives an existing revision a new number (re-applying an old template). */
export async function updateRevisionNumber(client: Client, cr: ControllerRevisionObj, revision: number): Promise<ControllerRevisionObj> {
  if (cr.revision === revision) return cr;
  const copy = deepClone(cr);
  copy.revision = revision;
  return client.update<ControllerRevisionObj>(R.controllerrevisions, copy, { namespace: cr.metadata.namespace });
}

/**
 * truncateHistory deletes the oldest revisions beyond `limit` that no live
 * pod and neither the current nor the update revision uses (upstream
 * truncateHistory of both controllers).
 */
export async function truncateHistory(client: Client, revisions: readonly ControllerRevisionObj[], live: ReadonlySet<string>, limit: number): Promise<void> {
  const unused = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name!));
  const excess = unused.length - Math.max(0, limit);
  for (const r of unused.slice(0, Math.max(0, excess))) {
    try {
      await client.delete(R.controllerrevisions, r.metadata.name!, { namespace: r.metadata.namespace, preconditions: { uid: r.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
