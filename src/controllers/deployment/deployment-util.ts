// SPDX-License-Identifier: Apache-2.0
/**
 * Pure helpers of the Deployment controller, after upstream
 * pkg/controller/deployment/util/deployment_util.go: annotations, the
 * pod-template hash, surge/unavailability arithmetic, and finding the new
 * and old ReplicaSets of a Deployment.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { deepClone, deepEqual, type KubeObject } from '../../api/index.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** Annotations a Deployment does not copy onto its ReplicaSets (upstream annotationsToSkip). */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** DeploymentObj and ReplicaSetObj are the typed shapes with KubeObject's writable metadata. */
export type DeploymentObj = Omit<Deployment, 'metadata'> & KubeObject;
export interface ReplicaSetObj extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template?: PodTemplateSpec;
  };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number; conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

/** replicasOf reads spec.replicas with the API default of 1 for Deployments and 0 for a missing ReplicaSet. */
export function replicasOf(obj: { spec?: { replicas?: number } } | undefined, dflt = 1): number {
  return obj?.spec?.replicas ?? dflt;
}

/** fnv32a is the 32-bit FNV-1a hash upstream's ComputeHash uses. */
function fnv32a(data: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(data, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** stableJSON renders JSON with sorted keys, so equal templates hash equally. */
function stableJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** SAFE_ALPHABET is apimachinery's rand alphabet: no vowels, no digits that read as letters. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** safeEncodeString maps each character onto the safe alphabet, as apimachinery rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of Buffer.from(s, 'utf8')) out += SAFE_ALPHABET[ch % SAFE_ALPHABET.length];
  return out;
}

/**
 * computeHash is the pod-template-hash of a template: FNV-1a over its
 * canonical JSON and the collision count, rendered as upstream does
 * (SafeEncodeString of the decimal hash). The value differs from upstream's
 * (which hashes Go's printed struct) but is stable and of the same shape.
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let data = stableJSON(semantic(template ?? {}) ?? {});
  if (collisionCount !== undefined && collisionCount !== null) data += `#${collisionCount}`;
  return safeEncodeString(String(fnv32a(data)));
}

/**
 * semantic drops nulls, empty objects and empty arrays, recursively. Upstream
 * compares typed structs with apiequality.Semantic, where a null
 * `creationTimestamp` or an empty `resources: {}` (both of which kubectl
 * sends back on `rollout undo`) equal their absence.
 */
export function semantic(v: unknown): unknown {
  if (Array.isArray(v)) {
    const a = v.map(semantic);
    return a.length === 0 ? undefined : a;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = semantic(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v === null ? undefined : v;
}

/** equalIgnoreHash compares two templates semantically, ignoring the pod-template-hash label (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined): unknown => {
    const c = deepClone(t ?? {}) as PodTemplateSpec & { metadata?: { labels?: Record<string, string> } };
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    return semantic(c);
  };
  return deepEqual(strip(a), strip(b));
}

function created(o: KubeObject): number {
  return Date.parse(o.metadata.creationTimestamp ?? '') || 0;
}

/** byCreation sorts oldest first, ties by name (upstream ReplicaSetsByCreationTimestamp). */
export function byCreation<T extends KubeObject>(list: T[]): T[] {
  return [...list].sort((a, b) => created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** findNewReplicaSet returns the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: DeploymentObj, rsList: ReplicaSetObj[]): ReplicaSetObj | undefined {
  return byCreation(rsList).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** revisionOf reads a ReplicaSet's revision annotation (0 when absent or malformed). */
export function revisionOf(o: KubeObject): number {
  const n = Number(o.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
  return Number.isFinite(n) ? n : 0;
}

/** maxRevision is the highest revision among ReplicaSets. */
export function maxRevision(list: KubeObject[]): number {
  return list.reduce((m, o) => Math.max(m, revisionOf(o)), 0);
}

/** scaledValue resolves an int-or-percent against total; percents round up or down as asked. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) {
    const n = Number(x);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(x)}`);
  }
  const raw = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/** resolveFenceposts returns maxSurge (rounded up) and maxUnavailable (rounded down); both zero means one unavailable. */
export function resolveFenceposts(d: DeploymentObj): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const desired = replicasOf(d);
  const surge = scaledValue(ru?.maxSurge, desired, true, '25%');
  let unavailable = scaledValue(ru?.maxUnavailable, desired, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function isRolling(d: DeploymentObj): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge is how many pods above the desired count a rolling update may run (0 for Recreate). */
export function maxSurge(d: DeploymentObj): number {
  return isRolling(d) ? resolveFenceposts(d).surge : 0;
}

/** maxUnavailable is how many desired pods may be unavailable (0 for Recreate), never more than desired. */
export function maxUnavailable(d: DeploymentObj): number {
  const desired = replicasOf(d);
  if (!isRolling(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

/** specReplicas sums spec.replicas; statusReplicas, readyReplicas and availableReplicas sum status counts. */
export function specReplicas(list: (ReplicaSetObj | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs ? replicasOf(rs, 0) : 0), 0);
}
export function statusReplicas(list: (ReplicaSetObj | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}
export function readyReplicas(list: (ReplicaSetObj | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}
export function availableReplicas(list: (ReplicaSetObj | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/** activeOf keeps ReplicaSets with spec.replicas > 0. */
export function activeOf(list: (ReplicaSetObj | undefined)[]): ReplicaSetObj[] {
  return list.filter((rs): rs is ReplicaSetObj => !!rs && replicasOf(rs, 0) > 0);
}

/** newRSNewReplicas is how big the new ReplicaSet may be now (upstream NewRSNewReplicas). */
export function newRSNewReplicas(d: DeploymentObj, allRSs: ReplicaSetObj[], newRS: ReplicaSetObj): number {
  const desired = replicasOf(d);
  if (!isRolling(d)) return desired;
  const current = specReplicas(allRSs);
  const maxTotal = desired + maxSurge(d);
  const cur = replicasOf(newRS, 0);
  if (current >= maxTotal) return cur;
  return cur + Math.min(maxTotal - current, desired - cur);
}

/** copyAnnotationsToRS copies the Deployment's annotations onto a ReplicaSet, skipping the controller's own; reports a change. */
function copyAnnotationsToRS(d: DeploymentObj, rs: ReplicaSetObj): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/** setReplicasAnnotations records desired and max replicas on a ReplicaSet; reports a change. */
export function setReplicasAnnotations(rs: ReplicaSetObj, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  if (ann[DESIRED_REPLICAS_ANNOTATION] === String(desired) && ann[MAX_REPLICAS_ANNOTATION] === String(max)) return false;
  ann[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  ann[MAX_REPLICAS_ANNOTATION] = String(max);
  return true;
}

/**
 * setNewReplicaSetAnnotations brings the new ReplicaSet's annotations up to
 * date: the Deployment's own, the revision (keeping earlier revisions in
 * revision-history when a rollback reuses a ReplicaSet), and, for a new one,
 * desired/max replicas (upstream SetNewReplicaSetAnnotations).
 */
export function setNewReplicaSetAnnotations(d: DeploymentObj, rs: ReplicaSetObj, newRevision: number, exists: boolean): boolean {
  let changed = copyAnnotationsToRS(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const old = ann[REVISION_ANNOTATION];
  const oldNum = old ? Number(old) : 0;
  if (!old || oldNum < newRevision) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (old) {
      const hist = ann[REVISION_HISTORY_ANNOTATION];
      ann[REVISION_HISTORY_ANNOTATION] = hist ? `${hist},${old}` : old;
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** isSaturated: the new ReplicaSet runs the full desired count, all available. */
export function isSaturated(d: DeploymentObj, rs: ReplicaSetObj | undefined): boolean {
  if (!rs) return false;
  const desired = replicasOf(d);
  const ann = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  return replicasOf(rs, 0) === desired && ann === String(desired) && (rs.status?.availableReplicas ?? 0) === desired;
}

/** findActiveOrLatest: the only active ReplicaSet, or the newest when none is active, or undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSetObj | undefined, oldRSs: ReplicaSetObj[]): ReplicaSetObj | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = byCreation(oldRSs).reverse();
  const all = newRS ? [newRS, ...newestFirst] : newestFirst;
  const active = activeOf(all);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/**
 * proportionalSizes spreads a change of the Deployment's size over its
 * active ReplicaSets in proportion to their size (upstream
 * DeploymentController.scale), largest first; the rounding leftover goes to
 * the first one.
 */
export function proportionalSizes(d: DeploymentObj, active: ReplicaSetObj[]): Map<string, number> {
  const allowed = replicasOf(d) + maxSurge(d);
  const toAdd = allowed - specReplicas(active);
  const sizeOf = (rs: ReplicaSetObj): number => replicasOf(rs, 0);
  const sorted = [...active].sort((a, b) => {
    if (sizeOf(a) !== sizeOf(b)) return sizeOf(b) - sizeOf(a);
    // Scaling up favours newer ReplicaSets on ties, scaling down older ones.
    return toAdd > 0 ? created(b) - created(a) : created(a) - created(b);
  });
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    let p = 0;
    if (toAdd !== 0 && sizeOf(rs) > 0 && toAdd !== added) {
      const fraction = replicaSetFraction(rs, d);
      p = toAdd > 0 ? Math.min(fraction, toAdd - added) : Math.max(fraction, toAdd - added);
    }
    sizes.set(rs.metadata.name!, sizeOf(rs) + p);
    added += p;
  }
  if (sorted.length > 0 && toAdd !== 0) {
    const first = sorted[0].metadata.name!;
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  return sizes;
}

function replicaSetFraction(rs: ReplicaSetObj, d: DeploymentObj): number {
  if (replicasOf(d) === 0) return -replicasOf(rs, 0);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? NaN);
  const base = Number.isInteger(annotated) && annotated > 0 ? annotated : d.status?.replicas ?? 0;
  if (base === 0) return 0;
  return Math.round((replicasOf(rs, 0) * deploymentReplicas) / base) - replicasOf(rs, 0);
}
