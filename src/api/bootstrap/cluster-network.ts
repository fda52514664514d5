// SPDX-License-Identifier: Apache-2.0
/**
 * What a joining node learns about the cluster's networks from the server,
 * so `skiff agent --server URL --token T` needs no network flags even when
 * the server was started with other ranges. The shapes are upstream's:
 * kubeadm publishes its ClusterConfiguration (networking.podSubnet,
 * serviceSubnet, dnsDomain) in kube-system/kubeadm-config, which
 * `kubeadm join` reads with the bootstrap token; flannel reads its
 * net-conf.json (Network, Backend.Type) from the kube-flannel-cfg ConfigMap.
 */
import { parse, stringify } from 'yaml';

/** The ConfigMaps, in kube-system, and the key each keeps its document under. */
export const KUBEADM_CONFIG = { namespace: 'kube-system', name: 'kubeadm-config', key: 'ClusterConfiguration' } as const;
export const FLANNEL_CONFIG = { namespace: 'kube-system', name: 'kube-flannel-cfg', key: 'net-conf.json' } as const;

/** DEFAULT_CLUSTER_DOMAIN is the DNS domain of Services and pods, upstream's default. */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** ClusterNetwork is what every node of a cluster must agree on. */
export interface ClusterNetwork {
  podSubnet: string;
  serviceSubnet: string;
  dnsDomain: string;
  /** flannel's backend type: vxlan or host-gw. */
  backend: string;
}

/** clusterNetworkConfigMaps renders the two ConfigMaps' data. */
export function clusterNetworkConfigMaps(n: ClusterNetwork): { kubeadm: Record<string, string>; flannel: Record<string, string> } {
  const clusterConfiguration = {
    apiVersion: 'kubeadm.k8s.io/v1beta4',
    kind: 'ClusterConfiguration',
    networking: { dnsDomain: n.dnsDomain, podSubnet: n.podSubnet, serviceSubnet: n.serviceSubnet },
  };
  const netConf = { Network: n.podSubnet, Backend: { Type: n.backend } };
  return {
    kubeadm: { [KUBEADM_CONFIG.key]: stringify(clusterConfiguration) },
    flannel: { [FLANNEL_CONFIG.key]: `${JSON.stringify(netConf, null, 2)}\n` },
  };
}

/**
 * parseClusterNetwork reads the two documents back; it throws with the
 * ConfigMap and field at fault when one is missing or malformed, since a
 * node that guesses its networks splits the cluster.
 */
export function parseClusterNetwork(kubeadmData: Record<string, string> | undefined, flannelData: Record<string, string> | undefined): ClusterNetwork {
  const where = (cm: { namespace: string; name: string; key: string }) => `${cm.namespace}/${cm.name} ${cm.key}`;
  const doc = parse(kubeadmData?.[KUBEADM_CONFIG.key] ?? '') as { networking?: Record<string, unknown> } | null;
  const net = doc?.networking ?? {};
  const str = (v: unknown, field: string, cm: typeof KUBEADM_CONFIG | typeof FLANNEL_CONFIG): string => {
    if (typeof v !== 'string' || v === '') throw new Error(`${where(cm)}: ${field} is missing`);
    return v;
  };
  let netConf: { Network?: unknown; Backend?: { Type?: unknown } };
  try {
    netConf = JSON.parse(flannelData?.[FLANNEL_CONFIG.key] ?? '') as typeof netConf;
  } catch (err) {
    throw new Error(`${where(FLANNEL_CONFIG)}: ${(err as Error).message}`);
  }
  return {
    podSubnet: str(net.podSubnet, 'networking.podSubnet', KUBEADM_CONFIG),
    serviceSubnet: str(net.serviceSubnet, 'networking.serviceSubnet', KUBEADM_CONFIG),
    dnsDomain: str(net.dnsDomain, 'networking.dnsDomain', KUBEADM_CONFIG),
    backend: str(netConf.Backend?.Type, 'Backend.Type', FLANNEL_CONFIG),
  };
}
