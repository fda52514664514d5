// SPDX-License-Identifier: Apache-2.0
/**
 * What makes a CSR a kubelet's, as upstream's
 * pkg/apis/certificates/v1 IsKubeletClientCSR / ValidateKubeletClientCSR and
 * the kubelet-serving checks of pkg/apis/certificates: the subject is
 * `system:node:<name>` in exactly `system:nodes`, the usages are those of a
 * client (or serving) certificate, and a client certificate names nothing else.
 */
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

/** The signers a kubelet asks (certificates.k8s.io/v1 well-known signer names). */
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

/** ParsedRequest is what an approver or signer reads from a PKCS#10 request (pki's parseCertificateRequest returns it). */
export interface ParsedRequest {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  /** otherNames counts SANs of other kinds (email, URI). */
  otherNames: number;
}
const NODE_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';

function usagesWithin(usages: string[], allowed: string[], required: string): string | undefined {
  const bad = usages.filter((u) => !allowed.includes(u));
  if (bad.length) return `usages did not match [${allowed.join(' ')}]: [${usages.join(' ')}]`;
  if (!usages.includes(required)) return `usages did not include "${required}"`;
  return undefined;
}

function subjectError(req: ParsedRequest): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODES_GROUP) return `subject organization is not ${NODES_GROUP}`;
  if (!req.commonName.startsWith(NODE_PREFIX) || req.commonName === NODE_PREFIX) return `subject common name does not begin with ${NODE_PREFIX}`;
  return undefined;
}

/** kubeletClientError says why a CSR is not a valid kubelet client certificate request (undefined when it is). */
export function kubeletClientError(req: ParsedRequest, usages: string[]): string | undefined {
  const subject = subjectError(req);
  if (subject) return subject;
  if (req.dnsNames.length || req.ipAddresses.length || req.otherNames) return 'DNS, email, IP and URI subjectAltNames are not allowed';
  return usagesWithin(usages, ['key encipherment', 'digital signature', 'client auth'], 'client auth');
}

/** kubeletServingError says why a CSR is not a valid kubelet serving certificate request (undefined when it is). */
export function kubeletServingError(req: ParsedRequest, usages: string[]): string | undefined {
  const subject = subjectError(req);
  if (subject) return subject;
  if (req.otherNames) return 'email and URI subjectAltNames are not allowed';
  if (!req.dnsNames.length && !req.ipAddresses.length) return 'at least one DNS or IP subjectAltName is required';
  return usagesWithin(usages, ['key encipherment', 'digital signature', 'server auth'], 'server auth');
}

/** decodedRequest is spec.request as PEM text. */
export function decodedRequest(csr: CertificateSigningRequest): string {
  return Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8');
}

/** conditionTrue tells whether a CSR has a condition of the type with status True. */
export function conditionTrue(csr: CertificateSigningRequest, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** isFinished: approved and issued, denied, or failed; nothing more to do. */
export function isFinished(csr: CertificateSigningRequest): boolean {
  return conditionTrue(csr, 'Denied') || conditionTrue(csr, 'Failed') || (conditionTrue(csr, 'Approved') && !!csr.status?.certificate);
}
