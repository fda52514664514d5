// SPDX-License-Identifier: Apache-2.0
/**
 * Client is how every component reads and writes cluster state. The server's
 * own controllers use an in-process implementation that runs the same
 * handler pipeline (authz, admission, validation, storage) without HTTP;
 * agents on other machines use the HTTPS implementation. A controller never
 * knows which one it has.
 */
import type { KubeList, KubeObject, ResourceInfo, WatchEvent } from '../api/index.js';

/** ResourceRef names a served resource, as in a URL: group, version, plural. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface RequestOptions {
  namespace?: string;
  /** Subresource such as 'status', 'scale', 'binding', 'eviction'. */
  subresource?: string;
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** force takes over conflicting fields on a server-side apply patch. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  signal?: AbortSignal;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  /** Seconds after which the server ends the watch (the client re-lists or re-watches). */
  timeoutSeconds?: number;
  /** Send synthetic ADDED events for the current state first (sendInitialEvents). */
  sendInitialEvents?: boolean;
}

export interface DeleteOptions extends RequestOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface Client {
  get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, opts?: RequestOptions): Promise<T>;
  list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts?: ListOptions): Promise<KubeList<T>>;
  /**
   * watch streams events until the signal aborts or the server ends it.
   * An ERROR event carries a Status (410 Expired means: re-list).
   */
  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions): AsyncIterable<WatchEvent<T>>;
  create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts?: RequestOptions): Promise<T>;
  update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts?: RequestOptions): Promise<T>;
  patch<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, type: PatchType, patch: unknown, opts?: RequestOptions): Promise<T>;
  /** delete returns the object as it stands after the call (with deletionTimestamp when finalizers hold it) or a Status. */
  delete(ref: ResourceRef, name: string, opts?: DeleteOptions): Promise<KubeObject>;
  /** deleteCollection deletes every object matching the selectors in a namespace (or cluster-wide). */
  deleteCollection(ref: ResourceRef, opts?: ListOptions & DeleteOptions): Promise<KubeList>;
  /**
   * serverResources lists what the server serves now, custom resources
   * included (discovery); clients that cannot tell leave it out and callers
   * fall back to the built-in table.
   */
  serverResources?(): Promise<readonly ResourceInfo[]>;
}

/** Well-known resource refs, so components don't spell group/version/plural by hand. */
export const R = {
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  services: { group: '', version: 'v1', resource: 'services' },
  endpoints: { group: '', version: 'v1', resource: 'endpoints' },
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  secrets: { group: '', version: 'v1', resource: 'secrets' },
  serviceaccounts: { group: '', version: 'v1', resource: 'serviceaccounts' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  events: { group: '', version: 'v1', resource: 'events' },
  persistentvolumes: { group: '', version: 'v1', resource: 'persistentvolumes' },
  persistentvolumeclaims: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  resourcequotas: { group: '', version: 'v1', resource: 'resourcequotas' },
  limitranges: { group: '', version: 'v1', resource: 'limitranges' },
  replicationcontrollers: { group: '', version: 'v1', resource: 'replicationcontrollers' },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments' },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets' },
  statefulsets: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  daemonsets: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  controllerrevisions: { group: 'apps', version: 'v1', resource: 'controllerrevisions' },
  jobs: { group: 'batch', version: 'v1', resource: 'jobs' },
  cronjobs: { group: 'batch', version: 'v1', resource: 'cronjobs' },
  ingresses: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' },
  ingressclasses: { group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses' },
  networkpolicies: { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
  horizontalpodautoscalers: { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  certificatesigningrequests: { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
  storageclasses: { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' },
  csinodes: { group: 'storage.k8s.io', version: 'v1', resource: 'csinodes' },
  volumeattachments: { group: 'storage.k8s.io', version: 'v1', resource: 'volumeattachments' },
  poddisruptionbudgets: { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' },
  priorityclasses: { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' },
  runtimeclasses: { group: 'node.k8s.io', version: 'v1', resource: 'runtimeclasses' },
} as const satisfies Record<string, ResourceRef>;
