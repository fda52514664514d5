// SPDX-License-Identifier: Apache-2.0
/**
 * Objects every cluster has from its first start, created idempotently on
 * each start (upstream's bootstrap controllers in kube-apiserver): the
 * system namespaces, the `kubernetes` Service, `kube-public/cluster-info`,
 * and the network settings joining nodes read (kube-system/kubeadm-config
 * and kube-flannel-cfg, as kubeadm and flannel publish them).
 * The Service's Endpoints and EndpointSlice follow the live API servers and
 * are written by the lease endpoint reconciler (src/controlplane).
 */
import { clusterNetworkConfigMaps, FLANNEL_CONFIG, KUBEADM_CONFIG, type ClusterNetwork, type KubeObject } from '../api/index.js';
import { R, ensureObject as ensure, ensureObjectFields as ensureOrReplace, type Client } from '../client/index.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface BootstrapOptions {
  /** The port behind the `kubernetes` Service. */
  apiPort: number;
  /** The first address of the service range, given to the `kubernetes` Service. */
  kubernetesServiceIP: string;
  /** The CA and URL written into kube-public/cluster-info (kubeadm-style discovery). */
  caCert: string;
  serverURL: string;
  /** What every node must agree on; rewritten on each start so the ConfigMaps say what the server runs with. */
  network: ClusterNetwork;
}

export async function bootstrapCluster(client: Client, o: BootstrapOptions): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(client, R.namespaces, { metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  await ensure(client, R.services, {
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: o.kubernetesServiceIP,
      clusterIPs: [o.kubernetesServiceIP],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.apiPort }],
      sessionAffinity: 'None',
    },
  });
  const kubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: ""',
    '  cluster:',
    `    certificate-authority-data: ${Buffer.from(o.caCert).toString('base64')}`,
    `    server: ${o.serverURL}`,
    'contexts: null',
    'current-context: ""',
    'preferences: {}',
    'users: null',
    '',
  ].join('\n');
  await ensureOrReplace(client, R.configmaps, { metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig } }, ['data']);
  const network = clusterNetworkConfigMaps(o.network);
  await ensureOrReplace(client, R.configmaps, { metadata: { name: KUBEADM_CONFIG.name, namespace: KUBEADM_CONFIG.namespace }, data: network.kubeadm }, ['data']);
  await ensureOrReplace(client, R.configmaps, { metadata: { name: FLANNEL_CONFIG.name, namespace: FLANNEL_CONFIG.namespace }, data: network.flannel }, ['data']);
}
