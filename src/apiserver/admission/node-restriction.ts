// SPDX-License-Identifier: Apache-2.0
/**
 * NodeRestriction admission (upstream plugin/pkg/admission/noderestriction):
 * a node (`system:node:<name>`) may create only mirror pods, update the
 * status of, delete and evict only pods bound to it, create, update and delete only its own Node,
 * its own Lease (in kube-node-lease) and its own CSINode, and may not set the `node-restriction.kubernetes.io/` labels reserved for
 * administrators. The Node authorizer has already limited what a node may
 * reach; this limits what it may write.
 */
import { MIRROR_POD_ANNOTATION, type KubeObject } from '../../api/index.js';
import { newForbidden } from '../../machinery/index.js';
import { nodeIdentity } from '../auth/node-authorizer.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

const RESTRICTED_LABEL_PREFIX = 'node-restriction.kubernetes.io/';

function forbid(a: AdmissionAttributes, why: string): never {
  throw newForbidden({ group: a.resource.group, resource: a.resource.plural }, a.object.metadata.name ?? '', why);
}

function nodeNameOf(pod: KubeObject | undefined): string | undefined {
  return (pod?.spec as { nodeName?: string } | undefined)?.nodeName;
}

function restrictedLabels(obj: KubeObject | undefined): string[] {
  return Object.keys(obj?.metadata.labels ?? {}).filter((k) => k.startsWith(RESTRICTED_LABEL_PREFIX) || k.split('/')[0].endsWith(`.${RESTRICTED_LABEL_PREFIX.slice(0, -1)}`));
}

/** PodGetter reads a pod for the eviction check; undefined when it does not exist. */
export type PodGetter = (namespace: string, name: string) => Promise<KubeObject | undefined>;

/**
 * admitEviction: a node may evict only pods bound to itself, decided before
 * any disruption budget is charged (upstream's admitPodEviction). An
 * eviction of a pod that does not exist is left to the eviction itself,
 * which answers 404.
 */
async function admitEviction(a: AdmissionAttributes, node: string, getPod: PodGetter): Promise<void> {
  const name = a.object.metadata?.name || '';
  if (!name) forbid(a, 'could not determine pod from request data');
  const pod = await getPod(a.ctx.namespace ?? a.object.metadata.namespace ?? '', name);
  if (pod && nodeNameOf(pod) !== node) forbid(a, `node ${node} can only evict pods with spec.nodeName set to itself`);
}

function admitPod(a: AdmissionAttributes, node: string): void {
  if (a.operation === 'CREATE' && !a.subresource) {
    if (!a.object.metadata.annotations?.[MIRROR_POD_ANNOTATION]) forbid(a, `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
    if (nodeNameOf(a.object) !== node) forbid(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
    return;
  }
  if (a.operation === 'UPDATE' && a.subresource === 'status' && nodeNameOf(a.oldObject) !== node) {
    forbid(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
  }
  if (a.operation === 'DELETE' && nodeNameOf(a.oldObject) !== node) {
    forbid(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
  }
}

function admitNode(a: AdmissionAttributes, node: string): void {
  const name = a.object.metadata.name ?? '';
  if (name !== node) forbid(a, `node "${node}" is not allowed to modify node "${name}"`);
  const before = new Set(restrictedLabels(a.oldObject));
  const changed = restrictedLabels(a.object).filter((k) => !before.has(k) || a.oldObject?.metadata.labels?.[k] !== a.object.metadata.labels?.[k]);
  const removed = [...before].filter((k) => a.object.metadata.labels?.[k] === undefined);
  const touched = [...changed, ...removed];
  if (touched.length) forbid(a, `is not allowed to modify labels: ${touched.sort().join(', ')}`);
}

/**
 * admitCSINode: a node writes only the CSINode named after it (upstream's
 * admitCSINode; on create the name comes from the object, as the Node
 * authorizer could not check it).
 */
function admitCSINode(a: AdmissionAttributes, node: string): void {
  if ((a.object.metadata.name ?? '') !== node) forbid(a, 'can only access CSINode with the same name as the requesting node');
}

/**
 * admitLease: a node writes only its own Lease in kube-node-lease (upstream's
 * admitLease). The Node authorizer cannot see the name of a create, so this
 * is where another node's Lease is refused.
 */
function admitLease(a: AdmissionAttributes, node: string): void {
  if ((a.ctx.namespace ?? a.object.metadata.namespace) !== 'kube-node-lease') forbid(a, 'can only access leases in the "kube-node-lease" system namespace');
  if ((a.object.metadata.name ?? '') !== node) forbid(a, 'can only access node lease with the same name as the requesting node');
}

/** nodeRestrictionAdmission is the NodeRestriction plugin. */
export function nodeRestrictionAdmission(getPod: PodGetter = async () => undefined): AdmissionPlugin {
  return {
    name: 'NodeRestriction',
    handles: (r) =>
      (r.group === '' && (r.kind === 'Pod' || r.kind === 'Node')) || (r.group === 'storage.k8s.io' && r.kind === 'CSINode') || (r.group === 'coordination.k8s.io' && r.kind === 'Lease'),
    async validate(a) {
      const node = nodeIdentity(a.ctx.user);
      if (node === undefined) return;
      if (!node) forbid(a, `could not determine node from user "${a.ctx.user.name}"`);
      if (a.resource.kind === 'Pod' && a.subresource === 'eviction') await admitEviction(a, node, getPod);
      else if (a.resource.kind === 'Pod') admitPod(a, node);
      else if (a.resource.kind === 'CSINode') admitCSINode(a, node);
      else if (a.resource.kind === 'Lease') admitLease(a, node);
      else admitNode(a, node);
    },
  };
}
