// SPDX-License-Identifier: Apache-2.0
/**
 * NodeRestriction's part for TokenRequests (upstream
 * plugin/pkg/admission/noderestriction, admitServiceAccount): a node may ask
 * for a service account token only bound to a pod, named with its uid, that
 * is scheduled on that node. The Node authorizer has already checked that
 * one of the node's pods runs as the account; this ties each token to one
 * such pod, so a node cannot mint tokens that outlive its pods or name a
 * pod elsewhere. The token subresource is served outside the admission
 * chain, so its handler calls this before issuing.
 */
import type { BoundObjectReference } from 'kubernetes-types/authentication/v1.js';
import type { KubeObject } from '../../api/index.js';
import { newForbidden } from '../../machinery/index.js';
import type { UserInfo } from '../registry/request-context.js';
import { nodeIdentity } from './node-authorizer.js';

/** PodReader reads a pod; it throws upstream's NotFound when the pod does not exist. */
export type PodReader = (namespace: string, name: string) => Promise<KubeObject>;

/**
 * restrictNodeTokenRequest refuses (403, on `serviceaccounts "<name>"`) a
 * node's TokenRequest that is not bound to one of its own pods; requests
 * from anyone but a node pass untouched.
 */
export async function restrictNodeTokenRequest(user: UserInfo, namespace: string, serviceAccount: string, body: KubeObject, readPod: PodReader): Promise<void> {
  const node = nodeIdentity(user);
  if (node === undefined) return;
  const forbid = (why: string) => newForbidden({ group: '', resource: 'serviceaccounts' }, serviceAccount, why);
  if (!node) throw forbid(`could not determine node from user "${user.name}"`);
  const ref = ((body.spec as { boundObjectRef?: BoundObjectReference | null } | undefined)?.boundObjectRef ?? undefined);
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw forbid('node requested token not bound to a pod');
  if (!ref.uid) throw forbid('node requested token with a pod binding without a uid');
  // A pod that does not exist answers the pod's own NotFound, as upstream returns the lookup's error.
  const pod = await readPod(namespace, ref.name);
  if (pod.metadata.uid !== ref.uid) {
    throw forbid(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if ((pod.spec as { nodeName?: string } | undefined)?.nodeName !== node) throw forbid('node requested token bound to a pod scheduled on a different node');
}
