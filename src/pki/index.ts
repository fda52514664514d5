// SPDX-License-Identifier: Apache-2.0
/** pki: certificate authorities and certificates (see certificates.ts). */
export { createCA, issueCertificate, selfSignedCertificate, type CertificateRequest, type PemPair } from './certificates.js';
