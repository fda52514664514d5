// SPDX-License-Identifier: Apache-2.0
/**
 * requestCertificate is client-go's certificate/csr RequestCertificate and
 * WaitForCertificate: make a key, send a CertificateSigningRequest for it,
 * and wait until the signer has issued the certificate (or the request was
 * denied or failed, which is reported with the condition's reason).
 */
import { createHash } from 'node:crypto';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { createCertificateRequest, type PemPair, type RequestSubject } from '../../pki/index.js';

export interface CertificateRequestOptions {
  signerName: string;
  usages: string[];
  subject: RequestSubject;
  /** expirationSeconds asks for a lifetime (the signer caps it). */
  expirationSeconds?: number;
  /** timeoutMs bounds the wait for approval and signing (upstream's kubelet waits up to an hour). */
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

/** CertificateRequestDenied is a request an approver denied or the signer failed. */
export class CertificateRequestDenied extends Error {}

function conditionOf(csr: CertificateSigningRequest, type: string) {
  return (csr.status?.conditions ?? []).find((c) => c.type === type && c.status === 'True');
}

/** requestCertificate returns the new key and its signed certificate. */
export async function requestCertificate(client: Client, o: CertificateRequestOptions): Promise<PemPair> {
  const { request, key } = await createCertificateRequest(o.subject);
  // Named from the request's hash, as the kubelet's node-csr-<hash>: a retry of the same request finds its CSR.
  const name = `node-csr-${createHash('sha256').update(request).digest('base64url').slice(0, 43)}`;
  const body: KubeObject = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: Buffer.from(request).toString('base64'),
      signerName: o.signerName,
      usages: o.usages,
      ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}),
    },
  };
  await client.create(R.certificatesigningrequests, body);
  o.log?.(`certificate: sent CertificateSigningRequest ${name} (${o.signerName}) for ${o.subject.commonName}; waiting for approval`);
  const deadline = Date.now() + (o.timeoutMs ?? 3600_000);
  for (;;) {
    o.signal?.throwIfAborted();
    const csr = (await client.get(R.certificatesigningrequests, name)) as unknown as CertificateSigningRequest;
    const refused = conditionOf(csr, 'Denied') ?? conditionOf(csr, 'Failed');
    if (refused) throw new CertificateRequestDenied(`certificate request ${name} was ${refused.type === 'Denied' ? 'denied' : 'failed'}: ${refused.reason ?? ''} ${refused.message ?? ''}`.trim());
    if (csr.status?.certificate && conditionOf(csr, 'Approved')) {
      return { cert: Buffer.from(csr.status.certificate, 'base64').toString('utf8'), key };
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for certificate request ${name} to be approved and signed`);
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  }
}
