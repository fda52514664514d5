// SPDX-License-Identifier: Apache-2.0
/** api/bootstrap: bootstrap tokens and join tokens (k8s.io/cluster-bootstrap), and the network settings a joining node reads. */
export * from './token.js';
export * from './cluster-network.js';
