// SPDX-License-Identifier: Apache-2.0
/**
 * client: talking to the API as client-go does — the Client interface and
 * its HTTP implementation, informers and work queues, the Reconciler base of
 * controllers, event recording, kubeconfig files and node leases (the fake client
 * for tests is imported from ./fake-client.js by tests only).
 */
export { type Client, type DeleteOptions, type ListOptions, type PatchType, R, type RequestOptions, type ResourceRef, type WatchOptions } from './client.js';
export { type Controller, Reconciler } from './controller.js';
export { EventRecorder } from './event-recorder.js';
export { HttpClient } from './http-client.js';
export { SharedInformer } from './informer.js';
export { InformerFactory } from './informer-factory.js';
export { keyOf, splitKey } from './indexed-cache.js';
export { mergeKubeconfig, renderKubeconfig } from './kubeconfig.js';
export { type Clock, systemClock, WorkQueue } from './workqueue.js';
export { NODE_LEASE_NAMESPACE, renewNodeLease } from './node-lease.js';
export { loadKubeconfig } from './http-client.js';
export { ensureObject, ensureObjectFields } from './ensure-object.js';
export { readKubeconfig } from './kubeconfig.js';
