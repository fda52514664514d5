// SPDX-License-Identifier: Apache-2.0
/**
 * The controller manager: one InformerFactory shared by every controller,
 * informers started together, workers started once every cache has synced
 * (as kube-controller-manager does). Other components import only this.
 */
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../api/index.js';
import type { Client } from '../client/index.js';
import { EventRecorder } from '../client/index.js';
import { InformerFactory } from '../client/index.js';
import type { Controller } from '../client/index.js';
import { DeploymentController } from './deployment/deployment-controller.js';
import { DisruptionController } from './disruption/disruption-controller.js';
import { EndpointsController } from './endpoint/endpoints-controller.js';
import { EndpointSliceController } from './endpointslice/endpointslice-controller.js';
import { GarbageCollector } from './garbagecollector/garbage-collector.js';
import { HorizontalController } from './hpa/hpa-controller.js';
import { ApiPodMetricsSource, FallbackPodMetricsSource, SimulatedPodMetricsSource, type PodMetricsSource } from './hpa/pod-metrics.js';
import { NamespaceController } from './namespace/namespace-controller.js';
import { ReplicaSetController } from './replicaset/replicaset-controller.js';
import { REPLICATION_CONTROLLER_KIND } from './replicaset/replicaset-kind.js';
import { ResourceQuotaController } from './resourcequota/resourcequota-controller.js';
import { RootCACertPublisher } from './rootcacertpublisher/index.js';
import { ServiceAccountController } from './serviceaccount/serviceaccount-controller.js';
import { TokensController } from './serviceaccount/tokens-controller.js';
import { StatefulSetController } from './statefulset/statefulset-controller.js';
import { DaemonSetController } from './daemonset/daemonset-controller.js';
import { JobController } from './job/job-controller.js';
import { TTLAfterFinishedController } from './job/ttl-after-finished-controller.js';
import { CronJobController } from './cronjob/cronjob-controller.js';
import { NodeIpamController } from './nodeipam/index.js';
import { PodGCController } from './podgc/index.js';
import { PersistentVolumeController, PVCProtectionController, PVProtectionController } from './volume/index.js';
import type { SimulatedUsage } from '../api/index.js';

export type { Controller } from '../client/index.js';

/** ControllerManagerOptions tunes the controller manager. */
export interface ControllerManagerOptions {
  /** workers per controller (upstream's --concurrent-*-syncs default to 5). */
  workers?: number;
  log?: (m: string) => void;
  /**
   * extraControllers are other components' controllers run over the
   * manager's shared informers (the server adds the local-path provisioner).
   */
  extraControllers?: (shared: SharedControllerContext) => Controller[];
  /** setUp runs before the informers start (the provisioner's default StorageClass). */
  setUp?: () => Promise<void>;
  /** simulatedUsage is the usage simulated pods report (injected by the server), the HPA's fallback source. */
  simulatedUsage?: SimulatedUsage;
  /**
   * podMetrics is where the HPA reads pod usage. The default reads
   * metrics.k8s.io through the client and, where that API is not served
   * (an in-process client), the simulated usage of simulated pods.
   */
  podMetrics?: PodMetricsSource;
  /** hpaSyncPeriodMs is --horizontal-pod-autoscaler-sync-period (15 s). */
  hpaSyncPeriodMs?: number;
  /** serviceAccountTokens runs the token controller (legacy token Secrets) with the server's CA and signing key. */
  serviceAccountTokens?: { rootCA: string; generateToken(sa: KubeObject, secret: KubeObject): string };
  /** rootCA runs the root CA publisher: kube-root-ca.crt with this PEM in every namespace (upstream root-ca-cert-publisher). */
  rootCA?: string;
  /** podGCQuarantineMs is how long a node must stay missing before its pods are collected (upstream: 40 s; tests shorten it). */
  podGCQuarantineMs?: number;
  /** clusterCIDR turns on the node IPAM controller, which gives each Node a /24 of it (upstream --allocate-node-cidrs). */
  clusterCIDR?: string;
}

/** SharedControllerContext is what every controller of the manager is built over. */
export interface SharedControllerContext {
  client: Client;
  factory: InformerFactory;
  log?: (m: string) => void;
  /** recorder makes an event recorder reporting as `component`. */
  recorder(component: string): EventRecorder;
}

/** ControllerManager is the component SkiffServer runs. */
export interface ControllerManager {
  name: string;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** controllerManager builds every controller over one client; start() returns once caches have synced and workers run. */
export function controllerManager(client: Client, opts: ControllerManagerOptions = {}): ControllerManager {
  const log = opts.log;
  const factory = new InformerFactory(client, { log });
  const recorder = (component: string): EventRecorder => new EventRecorder(client, component, { log });
  const common = { client, factory, log };
  const controllers: Controller[] = [
    new ReplicaSetController({ ...common, recorder: recorder('replicaset-controller') }),
    new ReplicaSetController({ ...common, recorder: recorder('replication-controller'), kind: REPLICATION_CONTROLLER_KIND }),
    new DeploymentController({ ...common, recorder: recorder('deployment-controller') }),
    new GarbageCollector(common),
    new NamespaceController(common),
    new ServiceAccountController(common),
    new EndpointsController(common),
    new EndpointSliceController(common),
    new PersistentVolumeController({ ...common, recorder: recorder('persistentvolume-controller') }),
    new PVCProtectionController(common),
    new PVProtectionController(common),
    new HorizontalController({
      ...common,
      recorder: recorder('horizontal-pod-autoscaler'),
      metrics: opts.podMetrics ?? defaultPodMetrics(client, opts.simulatedUsage),
      syncPeriodMs: opts.hpaSyncPeriodMs,
    }),
    new DisruptionController({ ...common, recorder: recorder('controllermanager') }),
    new ResourceQuotaController(common),
    new StatefulSetController({ ...common, recorder: recorder('statefulset-controller') }),
    new DaemonSetController({ ...common, recorder: recorder('daemonset-controller') }),
    new JobController({ ...common, recorder: recorder('job-controller') }),
    new TTLAfterFinishedController(common),
    new CronJobController({ ...common, recorder: recorder('cronjob-controller') }),
    new PodGCController({ ...common, quarantineMs: opts.podGCQuarantineMs }),
  ];
  if (opts.serviceAccountTokens) controllers.push(new TokensController({ ...common, ...opts.serviceAccountTokens }));
  if (opts.rootCA) controllers.push(new RootCACertPublisher({ ...common, rootCA: opts.rootCA }));
  if (opts.clusterCIDR) controllers.push(new NodeIpamController({ ...common, clusterCIDR: opts.clusterCIDR, recorder: recorder('cidrAllocator') }));
  controllers.push(...(opts.extraControllers?.({ ...common, recorder }) ?? []));
  const abort = new AbortController();
  // Every informer's watch, sync wait and controller loop listens on this one
  // signal while it runs (about a hundred at once) and removes its listener
  // when done; that many is the design, not a leak, so Node's warning past 10
  // (logged at every server start) is turned off for it.
  setMaxListeners(0, abort.signal);
  let running: Promise<unknown> | undefined;
  return {
    name: 'controller-manager',
    async start(signal: AbortSignal) {
      const onAbort = (): void => abort.abort();
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      await opts.setUp?.();
      factory.start(abort.signal);
      if (!(await factory.waitForSync(abort.signal))) return;
      running = Promise.all(controllers.map((c) => c.run(abort.signal, opts.workers ?? 5)));
    },
    async stop() {
      abort.abort();
      await running;
      await factory.stopped();
    },
  };
}

/** defaultPodMetrics reads metrics.k8s.io, falling back to simulated usage where that API is not served (an in-process client). */
function defaultPodMetrics(client: Client, simulated: SimulatedUsage | undefined): PodMetricsSource {
  const api = new ApiPodMetricsSource(client);
  return simulated ? new FallbackPodMetricsSource(api, new SimulatedPodMetricsSource(client, simulated)) : api;
}
export { ClusterRoleAggregator } from './clusterroleaggregation/index.js';
export { nodeLifecycleController } from './node-lifecycle/index.js';
export { ServiceLBController } from './servicelb/index.js';
export { CSRApprovingController, CSRSigningController, type AccessReview, type SubjectAccessReviewer } from './certificates/index.js';
