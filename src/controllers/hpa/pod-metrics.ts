// SPDX-License-Identifier: Apache-2.0
/**
 * Where the HPA gets pod usage. Upstream's controller reads the resource
 * metrics API (metrics.k8s.io, served by metrics-server); so does
 * ApiPodMetricsSource, through the Client. SimulatedPodMetricsSource reads
 * what simulated pods claim directly from the pods, for servers whose
 * in-process client does not serve metrics.k8s.io; FallbackPodMetricsSource
 * asks the API first and the simulation only when the API is not served.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../client/index.js';
import { isNotFound, StatusError } from '../../machinery/index.js';
import type { SimulatedUsage } from '../../api/index.js';

/** PodMetrics is one pod's usage, as metrics.k8s.io PodMetrics reports it. */
export interface PodMetrics {
  pod: string;
  timestamp: string;
  window: string;
  containers: { name: string; usage: { cpu: string; memory: string } }[];
}

/** PodMetricsSource lists the usage of the pods of a namespace matching a label selector (string form). */
export interface PodMetricsSource {
  podMetrics(namespace: string, selector: string): Promise<PodMetrics[]>;
}

/** METRICS_PODS is the metrics.k8s.io/v1beta1 pods resource. */
export const METRICS_PODS = { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods' };

interface PodMetricsObject {
  metadata: { name?: string };
  timestamp?: string;
  window?: string;
  containers?: PodMetrics['containers'];
}

/** ApiPodMetricsSource reads metrics.k8s.io/v1beta1 PodMetrics through the Client, as upstream's resource metrics client. */
export class ApiPodMetricsSource implements PodMetricsSource {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async podMetrics(namespace: string, selector: string): Promise<PodMetrics[]> {
    const list = await this.#client.list(METRICS_PODS, { namespace, labelSelector: selector || undefined });
    return (list.items as unknown as PodMetricsObject[]).map((m) => ({
      pod: m.metadata.name ?? '',
      timestamp: m.timestamp ?? '',
      window: m.window ?? '30s',
      containers: m.containers ?? [],
    }));
  }
}

/** SimulatedPodMetricsSource reports the usage simulated pods declare (the simulator's SimulatedUsage, injected). */
export class SimulatedPodMetricsSource implements PodMetricsSource {
  readonly #client: Client;
  readonly #usage: SimulatedUsage;
  readonly #now: () => Date;

  constructor(client: Client, usage: SimulatedUsage, now: () => Date = () => new Date()) {
    this.#client = client;
    this.#usage = usage;
    this.#now = now;
  }

  async podMetrics(namespace: string, selector: string): Promise<PodMetrics[]> {
    const pods = (await this.#client.list({ group: '', version: 'v1', resource: 'pods' }, { namespace, labelSelector: selector || undefined })).items as Pod[];
    const out: PodMetrics[] = [];
    for (const pod of pods) {
      const m = this.#usage.podUsage(pod, this.#now());
      if (m) out.push({ pod: pod.metadata?.name ?? '', ...m });
    }
    return out;
  }
}

/** FallbackPodMetricsSource asks `primary`, and `fallback` only when primary's API is not served (404). */
export class FallbackPodMetricsSource implements PodMetricsSource {
  constructor(
    readonly primary: PodMetricsSource,
    readonly fallback: PodMetricsSource,
  ) {}

  async podMetrics(namespace: string, selector: string): Promise<PodMetrics[]> {
    try {
      return await this.primary.podMetrics(namespace, selector);
    } catch (err) {
      // A NotFound on a list means the resource itself is not served here.
      if (isNotFound(err) || (err instanceof StatusError && err.code === 404)) return this.fallback.podMetrics(namespace, selector);
      throw err;
    }
  }
}

/** parseWindow reads a metrics window ("30s", "1m0s") as milliseconds. */
export function parseWindow(w: string): number {
  let ms = 0;
  for (const m of w.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const n = Number(m[1]);
    ms += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
  }
  return ms;
}
