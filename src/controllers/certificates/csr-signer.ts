// SPDX-License-Identifier: Apache-2.0
/**
 * The CSR signer (upstream pkg/controller/certificates/signer): an approved
 * request for `kubernetes.io/kube-apiserver-client-kubelet`,
 * `kubernetes.io/kubelet-serving` or `kubernetes.io/kube-apiserver-client`
 * (any subject an approver accepted; client usages only) gets a certificate from the cluster CA,
 * valid for the requested `expirationSeconds` capped at the signing duration
 * (upstream's --cluster-signing-duration, one year). A request the signer
 * cannot honour is marked Failed with reason SignerValidationFailure.
 */
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { InformerFactory, SharedInformer } from '../../client/index.js';
import { CertificateRequestError, parseCertificateRequest, signCertificateRequest, type PemPair } from '../../pki/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';
import { KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, KUBE_APISERVER_CLIENT_SIGNER, apiServerClientUsageError, conditionTrue, decodedRequest, kubeletClientError, kubeletServingError, isFinished } from '../../api/index.js';

/** DEFAULT_SIGNING_DURATION_SECONDS is upstream's --cluster-signing-duration (8760h). */
export const DEFAULT_SIGNING_DURATION_SECONDS = 365 * 24 * 3600;

export interface CSRSigningOptions {
  client: Client;
  factory: InformerFactory;
  ca: PemPair;
  signingDurationSeconds?: number;
  log?: (msg: string) => void;
}

/** CSRSigningController issues certificates for approved kubelet requests. */
export class CSRSigningController extends Reconciler {
  readonly #o: CSRSigningOptions;
  readonly #csrs: SharedInformer;

  constructor(o: CSRSigningOptions) {
    super({ name: 'csrsigning', log: o.log, maxRetries: 15 });
    this.#o = o;
    this.#csrs = o.factory.informer(R.certificatesigningrequests);
    this.#csrs.addEventHandler({ onAdd: (c) => this.enqueue(c.metadata.name!), onUpdate: (_o, c) => this.enqueue(c.metadata.name!) });
  }

  async sync(name: string): Promise<void> {
    const obj = this.#csrs.get(name);
    if (!obj) return;
    const csr = obj as unknown as CertificateSigningRequest;
    const signer = csr.spec?.signerName;
    if (signer !== KUBELET_CLIENT_SIGNER && signer !== KUBELET_SERVING_SIGNER && signer !== KUBE_APISERVER_CLIENT_SIGNER) return;
    if (!conditionTrue(csr, 'Approved') || isFinished(csr)) return;
    const pem = decodedRequest(csr);
    const usages = csr.spec?.usages ?? [];
    let why: string | undefined;
    try {
      const req = await parseCertificateRequest(pem);
      if (signer === KUBE_APISERVER_CLIENT_SIGNER) why = apiServerClientUsageError(usages);
      else why = signer === KUBELET_CLIENT_SIGNER ? kubeletClientError(req, usages) : kubeletServingError(req, usages);
    } catch (err) {
      if (!(err instanceof CertificateRequestError)) throw err;
      why = err.message;
    }
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    let status: CertificateSigningRequest['status'];
    if (why) {
      status = { ...csr.status, conditions: [...(csr.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: why, lastUpdateTime: now, lastTransitionTime: now }] };
    } else {
      const max = this.#o.signingDurationSeconds ?? DEFAULT_SIGNING_DURATION_SECONDS;
      const cert = await signCertificateRequest(this.#o.ca, pem, { usages, durationSeconds: Math.min(csr.spec?.expirationSeconds ?? max, max) });
      status = { ...csr.status, certificate: Buffer.from(cert).toString('base64') };
    }
    try {
      await this.#o.client.update(R.certificatesigningrequests, { ...obj, status } as KubeObject, { subresource: 'status' });
      this.#o.log?.(why ? `csrsigning: ${name} failed: ${why}` : `csrsigning: signed ${name} (${signer}) for ${csr.spec?.username}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
