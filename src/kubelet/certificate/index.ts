// SPDX-License-Identifier: Apache-2.0
/**
 * kubelet/certificate: the node's certificates from the cluster CA through
 * CertificateSigningRequests, stored in the data dir and rotated before they
 * expire (upstream pkg/kubelet/certificate and client-go's certificate manager).
 */
export { CertificateManager, rotationDeadline, type CertificateManagerOptions } from './certificate-manager.js';
export { requestCertificate, CertificateRequestDenied, type CertificateRequestOptions } from './certificate-request.js';
export { loadCertificate, storeCertificate, describeCertificate, type StoredCertificate } from './certificate-store.js';
