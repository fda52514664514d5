// SPDX-License-Identifier: Apache-2.0
/**
 * The CSR approver (upstream pkg/controller/certificates/approver,
 * sarapprove.go): a kubelet client certificate request is approved when its
 * requester may `create` the subresource `certificatesigningrequests/nodeclient`
 * (a bootstrap token's group is bound to it) or, for a node renewing its own
 * identity, `.../selfnodeclient`; the question is a SubjectAccessReview
 * against the server's authorizer. A node's request for its own kubelet
 * serving certificate is approved too, as k3s and kubeadm setups with a
 * serving-certificate approver do, and so is a node's request for its own
 * network identity (`system:skiff-node-network:<node>`, signer
 * kube-apiserver-client: the certificate k3s hands its agents for
 * kube-proxy). Anything else is left for an administrator
 * (`kubectl certificate approve|deny`).
 */
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { InformerFactory, SharedInformer } from '../../client/index.js';
import { parseCertificateRequest, CertificateRequestError, type ParsedRequest } from '../../pki/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, KUBE_APISERVER_CLIENT_SIGNER, conditionTrue, decodedRequest, kubeletClientError, kubeletServingError, nodeNetworkRequestNode } from '../../api/index.js';

export interface CSRApprovingOptions {
  client: Client;
  factory: InformerFactory;
  /** review answers a SubjectAccessReview (injected: the API server's own authorizer). */
  review: SubjectAccessReviewer;
  log?: (msg: string) => void;
}

/** AccessReview is the question a SubjectAccessReview asks: may this user do this verb on this resource? */
export interface AccessReview {
  user: { name: string; uid?: string; groups: string[] };
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
}

/** SubjectAccessReviewer answers AccessReviews. */
export type SubjectAccessReviewer = (r: AccessReview) => Promise<boolean> | boolean;

/** Approval is what the approver decided for one request. */
interface Approval {
  message: string;
}

/** CSRApprovingController approves kubelet certificate requests as upstream's csrapproving controller. */
export class CSRApprovingController extends Reconciler {
  readonly #o: CSRApprovingOptions;
  readonly #csrs: SharedInformer;

  constructor(o: CSRApprovingOptions) {
    super({ name: 'csrapproving', log: o.log, maxRetries: 15 });
    this.#o = o;
    this.#csrs = o.factory.informer(R.certificatesigningrequests);
    this.#csrs.addEventHandler({ onAdd: (c) => this.enqueue(c.metadata.name!), onUpdate: (_o, c) => this.enqueue(c.metadata.name!) });
  }

  async sync(name: string): Promise<void> {
    const obj = this.#csrs.get(name);
    if (!obj) return;
    const csr = obj as unknown as CertificateSigningRequest;
    if (conditionTrue(csr, 'Approved') || conditionTrue(csr, 'Denied') || csr.status?.certificate) return;
    let req: ParsedRequest;
    try {
      req = await parseCertificateRequest(decodedRequest(csr));
    } catch (err) {
      // Unparsable: not ours to approve; the signer marks it Failed if it is ever approved.
      if (err instanceof CertificateRequestError) return;
      throw err;
    }
    const approval = await this.#decide(csr, req);
    if (!approval) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const conditions = [...(csr.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message: approval.message, lastUpdateTime: now, lastTransitionTime: now }];
    try {
      await this.#o.client.update(R.certificatesigningrequests, { ...obj, status: { ...(csr.status ?? {}), conditions } } as KubeObject, { subresource: 'approval' });
      this.#o.log?.(`csrapproving: approved ${name} for ${csr.spec?.username}: ${approval.message}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #decide(csr: CertificateSigningRequest, req: ParsedRequest): Promise<Approval | undefined> {
    const spec = csr.spec!;
    const usages = spec.usages ?? [];
    if (spec.signerName === KUBELET_CLIENT_SIGNER && !kubeletClientError(req, usages)) {
      // Renewing one's own identity (selfnodeclient) first, then a new node's first certificate (nodeclient).
      if (spec.username === req.commonName && (await this.#allowed(csr, 'selfnodeclient'))) return { message: 'Auto approving self kubelet client certificate after SubjectAccessReview.' };
      if (await this.#allowed(csr, 'nodeclient')) return { message: 'Auto approving kubelet client certificate after SubjectAccessReview.' };
      return undefined;
    }
    if (spec.signerName === KUBELET_SERVING_SIGNER && !kubeletServingError(req, usages)) {
      // Only the node itself, with its node credentials, may ask for its serving certificate.
      if (spec.username === req.commonName && (spec.groups ?? []).includes('system:nodes')) return { message: 'Auto approving kubelet serving certificate for its own node.' };
    }
    if (spec.signerName === KUBE_APISERVER_CLIENT_SIGNER) {
      // Only node N, with its node credentials, gets N's network identity; any other client certificate waits for an administrator.
      const node = nodeNetworkRequestNode(req, usages);
      if (node && spec.username === `system:node:${node}` && (spec.groups ?? []).includes('system:nodes')) return { message: 'Auto approving node network client certificate for its own node.' };
    }
    return undefined;
  }

  async #allowed(csr: CertificateSigningRequest, subresource: string): Promise<boolean> {
    const spec = csr.spec!;
    const user = { name: spec.username ?? '', uid: spec.uid, groups: spec.groups ?? [] };
    return this.#o.review({ user, verb: 'create', group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource });
  }
}
