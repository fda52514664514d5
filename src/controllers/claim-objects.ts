// SPDX-License-Identifier: Apache-2.0
/**
 * Claiming owned objects, as upstream's ControllerRefManager
 * (pkg/controller/controller_ref_manager.go) does for pods, Jobs and
 * ControllerRevisions: keep what we control and still select, adopt
 * matching orphans (after re-reading the owner from the API, so an owner
 * being deleted adopts nothing), release what we control but no longer
 * select. Shared by the StatefulSet, DaemonSet, Job and CronJob controllers.
 */
import type { KubeObject } from '../api/index.js';
import { labelSelectorMatches, type LabelSelector } from '../api/index.js';
import type { Client, ResourceRef } from '../client/index.js';
import { isNotFound } from '../machinery/index.js';
import { adoptPatch, controllerRefOf, newControllerRef, releasePatch } from './controller-ref.js';

/** ClaimOptions describe one claim pass. */
export interface ClaimOptions<T extends KubeObject> {
  client: Client;
  /** ref is the resource of the claimed objects (pods, jobs, controllerrevisions). */
  ref: ResourceRef;
  /** ownerRef is the owner's resource, re-read before the first adoption. */
  ownerRef: ResourceRef;
  owner: KubeObject;
  apiVersion: string;
  kind: string;
  /** selector decides what may be adopted and what must be released; undefined selects nothing. */
  selector: LabelSelector | undefined;
  candidates: readonly T[];
  /** filter excludes candidates before anything else (e.g. inactive pods), as upstream's filter funcs. */
  filter?: (obj: T) => boolean;
}

/** claimObjects returns the candidates the owner controls after adopting and releasing. */
export async function claimObjects<T extends KubeObject>(o: ClaimOptions<T>): Promise<T[]> {
  const owned: T[] = [];
  const deleting = Boolean(o.owner.metadata.deletionTimestamp);
  let adoptable: boolean | undefined;
  for (const obj of o.candidates) {
    if (o.filter && !o.filter(obj)) continue;
    const ref = controllerRefOf(obj);
    const matches = labelSelectorMatches(o.selector, obj.metadata.labels);
    if (ref?.uid === o.owner.metadata.uid) {
      // An owner being deleted keeps its objects so that it can still account for them.
      if (matches || deleting) owned.push(obj);
      else await patchIgnoringMissing(o, obj, releasePatch(obj, o.owner.metadata.uid!));
      continue;
    }
    if (ref || !matches || deleting || obj.metadata.deletionTimestamp) continue;
    adoptable ??= await canAdopt(o);
    if (!adoptable) continue;
    const patch = adoptPatch(obj, newControllerRef(o.owner, o.apiVersion, o.kind));
    if (await patchIgnoringMissing(o, obj, patch)) owned.push(obj);
  }
  return owned;
}

async function canAdopt(o: Pick<ClaimOptions<KubeObject>, 'client' | 'ownerRef' | 'owner'>): Promise<boolean> {
  try {
    const fresh = await o.client.get(o.ownerRef, o.owner.metadata.name!, { namespace: o.owner.metadata.namespace });
    return fresh.metadata.uid === o.owner.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

async function patchIgnoringMissing(o: Pick<ClaimOptions<KubeObject>, 'client' | 'ref'>, obj: KubeObject, patch: unknown): Promise<boolean> {
  try {
    await o.client.patch(o.ref, obj.metadata.name!, 'strategic', patch, { namespace: obj.metadata.namespace });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
