// SPDX-License-Identifier: Apache-2.0
/** Control-plane housekeeping every API server runs (upstream's pkg/controlplane): the lease endpoint reconciler. */
export { ENDPOINT_ANNOTATION, IDENTITY_LABEL, LeaseEndpointReconciler, type LeaseEndpointReconcilerOptions } from './lease-endpoint-reconciler.js';
