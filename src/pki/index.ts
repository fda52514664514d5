// SPDX-License-Identifier: Apache-2.0
/** pki: certificate authorities, certificates and certificate requests (see certificates.ts, certificate-requests.ts). */
export { createCA, issueCertificate, selfSignedCertificate, type CertificateRequest, type PemPair } from './certificates.js';
export {
  CertificateRequestError,
  caPublicKeyHash,
  certificateRequestError,
  createCertificateRequest,
  parseCertificateRequest,
  signCertificateRequest,
  type ParsedRequest,
  type RequestSubject,
  type SigningOptions,
} from './certificate-requests.js';
