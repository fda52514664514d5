// SPDX-License-Identifier: Apache-2.0
/** Certificate controllers: the kubelet CSR approver and the cluster CA signer (kube-controller-manager's csrapproving and csrsigning). */
export { CSRApprovingController, type CSRApprovingOptions, type AccessReview, type SubjectAccessReviewer } from './csr-approver.js';
export { CSRSigningController, DEFAULT_SIGNING_DURATION_SECONDS, type CSRSigningOptions } from './csr-signer.js';
