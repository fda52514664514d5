// SPDX-License-Identifier: Apache-2.0
/**
 * apiserver/aggregator: kube-aggregator — apiregistration.k8s.io/v1
 * APIServices (Local ones for what this server serves, remote ones proxied
 * to extension API servers with front-proxy identity headers), their
 * Available conditions, and aggregated discovery and OpenAPI v3.
 */
export { Aggregator, type AggregatorOptions } from './aggregator.js';
export { localGroupVersions, type LocalGroupVersion } from './autoregister.js';
export { AUTHENTICATION_CONFIGMAP } from './front-proxy.js';
