// SPDX-License-Identifier: Apache-2.0
/** api/certificates: certificates.k8s.io vocabulary shared by the kubelet, the CSR controllers and the API server (upstream pkg/apis/certificates helpers). */
export * from './kubelet-csr.js';
export * from './node-network-csr.js';
