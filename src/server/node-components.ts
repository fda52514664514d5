// SPDX-License-Identifier: Apache-2.0
/**
 * nodeComponents runs the server's machine as a node: the agent (kubelet,
 * containerd, proxy, network policy) and the add-ons that live on the
 * server's node: cluster DNS and the Ingress controller. They come as chains:
 * a chain starts in order (DNS needs the agent's pod range), the chains start
 * together (the Ingress data plane needs nothing of the agent).
 */
import { join } from 'node:path';
import { nthAddress } from '../api/index.js';
import type { KubeletClient } from '../apiserver/index.js';
import type { Client } from '../client/index.js';
import type { Component } from '../machinery/index.js';
import { issueCertificate, type PemPair } from '../pki/index.js';
import type { SkiffServerOptions } from './server-options.js';

/**
 * loadNodeModules imports the node's components. They are loaded only when this server runs a node (the CRI/gRPC
 * stack is a large share of start-up time), and the server starts loading them first thing, so the loading overlaps
 * key generation and storage start-up instead of following them.
 */
export function loadNodeModules() {
  return Promise.all([import('../agent/index.js'), import('../dns/index.js'), import('../ingress/index.js')]);
}

type NodeModules = Awaited<ReturnType<typeof loadNodeModules>>;

export async function nodeComponents(
  opts: SkiffServerOptions, client: Client, advertise: string, ca: PemPair, kubelets: KubeletClient, modules: Promise<NodeModules> = loadNodeModules(),
): Promise<Component[][]> {
  const { dataDir, log } = opts;
  const components: Component[] = [];
  const [{ NodeAgent }, { clusterDNS }, { ingressController, INGRESS_DATA_DIR }] = await modules;
  const agent = new NodeAgent({
    client, dataDir, hostIP: advertise, clusterCIDR: opts.clusterCIDR, serviceCIDR: opts.serviceCIDR,
    clusterDNS: nthAddress(opts.serviceCIDR, 10), caCert: ca.cert, log,
    // The server's own node needs no CSR: its kubelet serving certificate comes from the CA directly, valid for
    // the loopback address the API server dials it on and the node's address.
    servingCertificate: (nodeName) => issueCertificate(ca, { subject: `CN=system:node:${nodeName}, O=system:nodes`, server: true, sans: [nodeName, '127.0.0.1', advertise] }),
    // The server's own node renews its Lease at least four times per grace period, as the kubelet's 10 s does for the default 40 s.
    leaseRenewIntervalMs: Math.min(10_000, (opts.nodeMonitorGracePeriodMs ?? 40_000) / 4), ...opts.agent,
  });
  components.push(agent);
  // The API server reaches its own node's kubelet on loopback rather than the node's LAN address.
  components.push({
    name: 'kubelet-endpoint',
    start: async () => kubelets.setEndpoint(agent.nodeName!, { host: '127.0.0.1', port: agent.kubeletPort! }),
  });
  let dns: Component | undefined;
  components.push({
    name: 'cluster-dns',
    // DNS listens on every address (the node's bridge gateway appears with the first pod) on a free port;
    // the kube-dns Service's endpoint is the gateway, reached from pods through the proxy's DNAT.
    start: async (signal) => {
      dns = clusterDNS(client, {
        listenAddresses: [{ host: '0.0.0.0', port: opts.dnsPort ?? 0 }],
        kubeDNS: { clusterIP: nthAddress(opts.serviceCIDR, 10), endpointAddress: nthAddress(agent.podCIDR!, 1), nodeName: agent.nodeName },
        log,
      });
      await dns.start(signal);
    },
    stop: async () => dns?.stop?.(),
  });
  if (opts.ingress === false) return [components];
  const ports = { http: opts.ingress?.httpPort ?? 80, https: opts.ingress?.httpsPort ?? 443, bind: opts.ingress?.bindAddress ?? '0.0.0.0' };
  // The data plane (nginx) keeps its files in the node's data dir and runs as long as the node does.
  const ingress = ingressController(client, {
    httpPort: ports.http, httpsPort: ports.https, bindAddress: ports.bind, nodeAddress: advertise, dataDir: join(dataDir, INGRESS_DATA_DIR), log,
  });
  return [components, [{
    name: ingress.name,
    // A busy port 80/443 (another web server on the machine) or a missing nginx must not keep the cluster from
    // starting: the rest works, and the log says how to serve Ingresses.
    start: async (signal) => {
      try {
        await ingress.start(signal);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return log(`ingress: ${(err as Error).message}; Ingresses are not served on this node.`);
        if (code !== 'EADDRINUSE') throw err;
        await ingress.stop();
        log(`ingress: cannot listen on ${ports.bind}:${ports.http}/${ports.https} (in use); Ingresses are not served on this node. Free the ports or pass --ingress-http-port/--ingress-https-port.`);
      }
    },
    stop: () => ingress.stop(),
  }]];
}
