// SPDX-License-Identifier: Apache-2.0
/**
 * learnClusterNetwork reads the pod and Service ranges and the pod network
 * backend the server published (kube-system/kubeadm-config and
 * kube-flannel-cfg, see api/bootstrap/cluster-network.ts), as `kubeadm join`
 * reads the ClusterConfiguration instead of asking the user again. A flag
 * given on the command line must agree with the server: a node on another
 * range would split the pod network, so a mismatch stops the agent with a
 * message naming both values. A server too old to publish the settings
 * leaves the flags (or their defaults) in charge.
 */
import { FLANNEL_CONFIG, KUBEADM_CONFIG, parseClusterNetwork, type ClusterNetwork, type KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';
import { isNotFound } from '../machinery/index.js';

/** DEFAULT_NETWORK is what a server started without network flags runs with. */
export const DEFAULT_NETWORK: ClusterNetwork = { podSubnet: '10.42.0.0/16', serviceSubnet: '10.43.0.0/16', dnsDomain: 'cluster.local', backend: 'vxlan' };

/** ClusterNetworkMismatch is a flag that disagrees with the server. */
export class ClusterNetworkMismatch extends Error {}

const FLAG_OF: Record<keyof ClusterNetwork, string> = { podSubnet: '--cluster-cidr', serviceSubnet: '--service-cidr', dnsDomain: '--cluster-domain', backend: '--flannel-backend' };

export async function learnClusterNetwork(client: Client, given: Partial<ClusterNetwork>, log: (m: string) => void): Promise<ClusterNetwork> {
  let published: ClusterNetwork;
  try {
    const read = (cm: { namespace: string; name: string }) => client.get<KubeObject & { data?: Record<string, string> }>(R.configmaps, cm.name, { namespace: cm.namespace });
    const [kubeadm, flannel] = await Promise.all([read(KUBEADM_CONFIG), read(FLANNEL_CONFIG)]);
    published = parseClusterNetwork(kubeadm.data, flannel.data);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    log(`cluster network: the server publishes no ${KUBEADM_CONFIG.namespace}/${KUBEADM_CONFIG.name}; using the flags and defaults`);
    return { ...DEFAULT_NETWORK, ...definedOnly(given) };
  }
  for (const [key, value] of Object.entries(definedOnly(given)) as [keyof ClusterNetwork, string][]) {
    if (value !== published[key]) {
      throw new ClusterNetworkMismatch(`${FLAG_OF[key]} ${value} does not match the server's ${published[key]} (${KUBEADM_CONFIG.namespace}/${key === 'backend' ? FLANNEL_CONFIG.name : KUBEADM_CONFIG.name}); leave the flag out to use the server's`);
    }
  }
  return published;
}

function definedOnly(n: Partial<ClusterNetwork>): Partial<ClusterNetwork> {
  return Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined));
}
