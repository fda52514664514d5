// SPDX-License-Identifier: Apache-2.0
/**
 * Objects every cluster has from its first start, created idempotently on
 * each start (upstream's bootstrap controllers in kube-apiserver): the
 * system namespaces, the `kubernetes` Service with its Endpoints and
 * EndpointSlice pointing at the API server, and `kube-public/cluster-info`.
 */
import type { KubeObject } from '../api/index.js';
import { R, ensureObject as ensure, ensureObjectFields as ensureOrReplace, type Client } from '../client/index.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface BootstrapOptions {
  /** Address pods use to reach the API server (must not be loopback: Endpoints may not name 127.0.0.0/8). */
  advertiseAddress: string;
  /** The port behind the `kubernetes` Service. */
  apiPort: number;
  /** The first address of the service range, given to the `kubernetes` Service. */
  kubernetesServiceIP: string;
  /** The CA and URL written into kube-public/cluster-info (kubeadm-style discovery). */
  caCert: string;
  serverURL: string;
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
  await ensureOrReplace(
    client,
    R.endpoints,
    {
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: o.advertiseAddress }], ports: [{ name: 'https', port: o.apiPort, protocol: 'TCP' }] }],
    },
    ['subsets'],
  );
  await ensureOrReplace(
    client,
    R.endpointslices,
    {
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [o.advertiseAddress], conditions: { ready: true } }],
      ports: [{ name: 'https', port: o.apiPort, protocol: 'TCP' }],
    },
    ['endpoints', 'ports'],
  );
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
}
