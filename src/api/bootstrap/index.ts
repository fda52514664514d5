// SPDX-License-Identifier: Apache-2.0
/** api/bootstrap: bootstrap tokens and join tokens (k8s.io/cluster-bootstrap). */
export * from './token.js';
