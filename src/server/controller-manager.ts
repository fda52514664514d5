// SPDX-License-Identifier: Apache-2.0
/**
 * The leader-elected halves of the control plane: the controller manager
 * (with Skiff's extra controllers: local-path volumes, kubelet CSR approval
 * and signing, ServiceLB, node lifecycle) and the scheduler. Each acts only on the
 * server holding its Lease (upstream's names and timings), so several
 * servers on one datastore never both reconcile; the others stand by and
 * take over.
 */
import { legacyToken, loadOrCreateSigningKey, serviceAccountKeyPath, type installAuth } from '../apiserver/index.js';
import type { Client } from '../client/index.js';
import { CSRApprovingController, CSRSigningController, ServiceLBController, controllerManager, nodeLifecycleController } from '../controllers/index.js';
import { isSimulated, simulatedUsage } from '../kwok/index.js';
import { leaderElected } from '../leaderelection/index.js';
import type { Component } from '../machinery/index.js';
import type { PemPair } from '../pki/index.js';
import { scheduler } from '../scheduler/index.js';
import { ensureLocalPathStorageClass, newLocalPathProvisioner } from '../storage-provisioner/index.js';
import type { SkiffServerOptions } from './server-options.js';

type Auth = ReturnType<typeof installAuth>;

export function leaderElectedControlPlane(opts: SkiffServerOptions, client: Client, o: { identity: string; ca: PemPair; auth: Auth }): Component[] {
  const { dataDir, log } = opts;
  const { ca, auth } = o;
  const election = { client, identity: o.identity, log, ...opts.leaderElection };
  const saKey = loadOrCreateSigningKey(serviceAccountKeyPath(dataDir));
  const manager = leaderElected('kube-controller-manager', () => {
    const m = controllerManager(client, {
      log,
      simulatedUsage,
      serviceAccountTokens: { rootCA: ca.cert, generateToken: (sa, secret) => legacyToken(saKey, sa, secret) },
      rootCA: ca.cert,
      clusterCIDR: opts.clusterCIDR,
      extraControllers: ({ factory, recorder }) => [
        newLocalPathProvisioner({ client, factory, log, recorder: recorder('skiff.dev/local-path'), dataDir }),
        // kube-controller-manager's csrapproving and csrsigning: kubelet certificates from the cluster CA.
        new CSRApprovingController({
          client, factory, log,
          review: async (r) => (await auth.authorizer.authorize({ ...r, resourceRequest: true, version: '*' })).allowed,
        }),
        new CSRSigningController({ client, factory, log, ca }),
        // k3s ServiceLB: simulated nodes run no proxy, so they are no ingress point.
        ...(opts.serviceLB === false ? [] : [new ServiceLBController({ client, factory, log, servesNode: (n) => !isSimulated(n) })]),
      ],
      setUp: () => ensureLocalPathStorageClass(client),
    });
    const lifecycle = nodeLifecycleController(client, { log, nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs });
    return {
      name: 'kube-controller-manager',
      start: async (signal) => {
        await m.start(signal);
        await lifecycle.start(signal);
      },
      stop: async () => {
        await lifecycle.stop?.();
        await m.stop?.();
      },
    };
  }, { ...election, lease: 'kube-controller-manager' });
  return [manager, leaderElected('kube-scheduler', () => scheduler(client, { log }), { ...election, lease: 'kube-scheduler' })];
}
