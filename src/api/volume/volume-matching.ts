// SPDX-License-Identifier: Apache-2.0
/**
 * Which volume a claim may bind to, as upstream's FindMatchingVolume
 * (k8s.io/component-helpers/storage/volume/pv_helpers.go): a volume
 * pre-bound to the claim wins if it is big enough and of the same class;
 * otherwise the smallest Available, unclaimed volume of the claim's class
 * whose access modes are a superset of the claim's, whose labels match the
 * claim's selector, whose volumeMode is the claim's and whose capacity
 * covers the request. Delayed-binding claims only take pre-bound volumes
 * here; the scheduler binds the rest once it knows the node.
 */
import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { labelSelectorMatches, type LabelSelector } from '../validation/label-selector.js';
import { Quantity, tryParseQuantity } from '../validation/quantity.js';
import { termMatches } from '../scheduling/node-selector.js';
import { claimClass, volumeClass } from './volume-annotations.js';

/** MatchOptions narrows the search: a delayed-binding claim without a node only takes pre-bound volumes. */
export interface MatchOptions {
  delayBinding?: boolean;
  /** node, when known, must satisfy each candidate's nodeAffinity. */
  node?: Node;
}

/** storageOf parses a `storage` quantity; a missing or malformed one counts as zero. */
export function storageOf(list: Record<string, unknown> | undefined): Quantity {
  const q = tryParseQuantity(list?.storage);
  return typeof q === 'string' ? new Quantity(0n) : q;
}

/** claimRequest is the storage a claim asks for. */
export function claimRequest(claim: PersistentVolumeClaim): Quantity {
  return storageOf(claim.spec?.resources?.requests as Record<string, unknown> | undefined);
}

/** volumeCapacity is the storage a volume offers. */
export function volumeCapacity(pv: PersistentVolume): Quantity {
  return storageOf(pv.spec?.capacity as Record<string, unknown> | undefined);
}

/** isVolumeBoundToClaim says the volume's claimRef names this claim (and its uid, once set), as upstream. */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

/** accessModesContain says every mode the claim wants is offered by the volume. */
export function accessModesContain(offered: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  const have = new Set(offered ?? []);
  return (wanted ?? []).every((m) => have.has(m));
}

/** volumeNodeAffinityMatches reports whether a node satisfies a volume's required nodeAffinity (none: every node). */
export function volumeNodeAffinityMatches(pv: PersistentVolume, node: Node): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms?.length) return true;
  const labels = (node.metadata?.labels ?? {}) as Record<string, string>;
  return terms.some((t) => termMatches(t, labels, node.metadata?.name ?? ''));
}

/** mismatchReason says why a specific volume cannot serve a claim, or '' when it can (upstream checkVolumeSatisfyClaim). */
export function mismatchReason(pv: PersistentVolume, claim: PersistentVolumeClaim): string {
  if (volumeCapacity(pv).cmp(claimRequest(claim)) < 0) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(claim)) return 'storageClassName does not match';
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return 'incompatible volumeMode';
  if (!accessModesContain(pv.spec?.accessModes, claim.spec?.accessModes)) return 'incompatible accessMode';
  return '';
}

function isCandidate(pv: PersistentVolume, claim: PersistentVolumeClaim, selector: LabelSelector | undefined): boolean {
  if (pv.status?.phase !== 'Available' || pv.spec?.claimRef) return false;
  if (selector && !labelSelectorMatches(selector, pv.metadata?.labels as Record<string, string> | undefined)) return false;
  return mismatchReason(pv, claim) === '';
}

/**
 * findMatchingVolume picks the volume a claim should bind to, or undefined.
 * Among free candidates the smallest capacity wins, then the fewest access
 * modes (upstream walks its access-mode index from the narrowest set).
 */
export function findMatchingVolume<T extends PersistentVolume>(claim: PersistentVolumeClaim, volumes: readonly T[], opts: MatchOptions = {}): T | undefined {
  const selector = claim.spec?.selector as LabelSelector | undefined;
  let best: T | undefined;
  for (const pv of volumes) {
    if (pv.metadata?.deletionTimestamp) continue;
    const affinityOk = !opts.node || volumeNodeAffinityMatches(pv, opts.node);
    if (isVolumeBoundToClaim(pv, claim)) {
      if (volumeCapacity(pv).cmp(claimRequest(claim)) < 0 || volumeClass(pv) !== claimClass(claim)) continue;
      // A pre-bound volume on the wrong node means the claim cannot be satisfied there at all.
      return affinityOk ? pv : undefined;
    }
    if (opts.delayBinding && !opts.node) continue;
    if (!affinityOk || !isCandidate(pv, claim, selector)) continue;
    if (!best || isBetter(pv, best)) best = pv;
  }
  return best;
}

function isBetter(a: PersistentVolume, b: PersistentVolume): boolean {
  const c = volumeCapacity(a).cmp(volumeCapacity(b));
  if (c !== 0) return c < 0;
  return (a.spec?.accessModes?.length ?? 0) < (b.spec?.accessModes?.length ?? 0);
}
