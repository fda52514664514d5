// SPDX-License-Identifier: Apache-2.0
/**
 * apiserver/streaming: pods/log, exec, attach and portforward on the API
 * server, relayed to each node's kubelet server (kubelet/streaming), plus
 * metrics.k8s.io over the same kubelet connections.
 */
import type { Client } from '../../client/index.js';
import { issueClientCert, type PemPair } from '../certs.js';
import type { APIServer } from '../server.js';
import { KubeletMetricsSource, SimulatedMetricsSource, metricsAPI, type MetricsSource } from '../metrics/index.js';
import { KUBELET_CLIENT_USER } from '../../api/index.js';
import { KubeletClient } from './kubelet-client.js';
import { PodStreaming } from './pod-streaming.js';
import type { SimulatedUsage } from '../../api/index.js';

export { KubeletClient, type KubeletEndpoint, type KubeletClientOptions } from './kubelet-client.js';
export { PodStreaming, containerFor, type PodStreamingOptions } from './pod-streaming.js';

/** PodStreamingSetup configures installPodStreaming. */
export interface PodStreamingSetup {
  client: Client;
  /** ca is the cluster CA; the API server's kubelet client certificate is issued from it. */
  ca: PemPair;
  /** kubeletCA verifies kubelet serving certificates (default: not verified, as upstream without --kubelet-certificate-authority). */
  kubeletCA?: string;
  /** simulatedUsage is what simulated nodes report (the server injects the simulator's); without it only kubelets are asked. */
  simulatedUsage?: SimulatedUsage;
  /** extraMetricsSources are asked besides kubelets and simulated nodes. */
  extraMetricsSources?: MetricsSource[];
  log?: (msg: string) => void;
}

/**
 * installPodStreaming plugs logs/exec/attach/port-forward and metrics.k8s.io
 * into an API server. The returned KubeletClient lets the in-process agent
 * pin its kubelet address with setEndpoint.
 */
export async function installPodStreaming(api: APIServer, setup: PodStreamingSetup): Promise<{ kubelets: KubeletClient; streaming: PodStreaming }> {
  const cert = await issueClientCert(setup.ca, KUBELET_CLIENT_USER, []);
  const kubelets = new KubeletClient({ client: setup.client, cert: cert.cert, key: cert.key, ca: setup.kubeletCA });
  const streaming = new PodStreaming({ client: setup.client, kubelets, log: setup.log });
  api.setPodConnector(streaming);
  api.upgradeHandler = streaming.upgradeHandler;
  const sources: MetricsSource[] = [new KubeletMetricsSource(setup.client, kubelets, setup.log), ...(setup.simulatedUsage ? [new SimulatedMetricsSource(setup.client, setup.simulatedUsage)] : []), ...(setup.extraMetricsSources ?? [])];
  api.addExtension(metricsAPI(setup.client, sources));
  return { kubelets, streaming };
}
