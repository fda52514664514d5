// SPDX-License-Identifier: Apache-2.0
/**
 * metrics.k8s.io/v1beta1 served by code (upstream serves it through the
 * aggregation layer from metrics-server): PodMetrics (namespaced) and
 * NodeMetrics, list and get, with label selectors joined against the pods
 * and nodes themselves. `kubectl top pod|node` reads these.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { StatusError, newMethodNotSupported, rfc3339 } from '../../machinery/index.js';
import type { APIExtension } from '../extensions.js';
import type { ResourceRequestInfo } from '../http/request-info.js';
import { writeJson } from '../http/response.js';
import type { MetricsSource, NodeUsage, PodUsage } from './metrics-source.js';

const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';
const API_VERSION = `${GROUP}/${VERSION}`;

/** metricsAPI builds the metrics.k8s.io extension over the given sources. */
export function metricsAPI(client: Client, sources: MetricsSource[]): APIExtension {
  return {
    group: GROUP,
    version: VERSION,
    resources: [
      { name: 'pods', singularName: '', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
      { name: 'nodes', singularName: '', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
    ],
    handle: (req, res, info, query) => serve(client, sources, req, res, info, query),
  };
}

async function serve(client: Client, sources: MetricsSource[], req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo, query: URLSearchParams): Promise<void> {
  const gr = { group: GROUP, resource: info.resource };
  if (info.subresource || (info.verb !== 'get' && info.verb !== 'list')) throw newMethodNotSupported(gr, info.verb);
  const labelSelector = query.get('labelSelector') ?? undefined;
  const items = info.resource === 'pods'
    ? await podItems(client, sources, info.namespace, labelSelector, info.name)
    : await nodeItems(client, sources, labelSelector, info.name);
  if (info.name) {
    if (!items[0]) throw new StatusError(404, 'NotFound', `${info.resource}.${GROUP} "${info.name}" not found`, { name: info.name, group: GROUP, kind: info.resource });
    return writeJson(res, 200, items[0]);
  }
  const kind = info.resource === 'pods' ? 'PodMetricsList' : 'NodeMetricsList';
  writeJson(res, 200, { kind, apiVersion: API_VERSION, metadata: {}, items });
}

async function podItems(client: Client, sources: MetricsSource[], namespace: string | undefined, labelSelector: string | undefined, name?: string): Promise<object[]> {
  const [pods, ...found] = await Promise.all([
    client.list(R.pods, { ...(namespace ? { namespace } : {}), ...(labelSelector ? { labelSelector } : {}) }),
    ...sources.map((s) => s.podMetrics(namespace).catch(() => [] as PodUsage[])),
  ]);
  const byKey = new Map<string, KubeObject>(pods.items.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
  const out: object[] = [];
  for (const u of found.flat()) {
    const pod = byKey.get(`${u.namespace}/${u.name}`);
    if (!pod || (name && u.name !== name)) continue;
    byKey.delete(`${u.namespace}/${u.name}`); // one source per pod
    out.push({
      kind: 'PodMetrics', apiVersion: API_VERSION,
      metadata: { name: u.name, namespace: u.namespace, labels: pod.metadata?.labels, creationTimestamp: rfc3339(Date.now()) },
      timestamp: u.timestamp, window: u.window, containers: u.containers,
    });
  }
  return out;
}

async function nodeItems(client: Client, sources: MetricsSource[], labelSelector: string | undefined, name?: string): Promise<object[]> {
  const [nodes, ...found] = await Promise.all([
    client.list(R.nodes, labelSelector ? { labelSelector } : {}),
    ...sources.map((s) => s.nodeMetrics().catch(() => [] as NodeUsage[])),
  ]);
  const byName = new Map<string, KubeObject>(nodes.items.map((n) => [n.metadata?.name ?? '', n]));
  const out: object[] = [];
  for (const u of found.flat()) {
    const node = byName.get(u.name);
    if (!node || (name && u.name !== name)) continue;
    byName.delete(u.name);
    out.push({
      kind: 'NodeMetrics', apiVersion: API_VERSION,
      metadata: { name: u.name, labels: node.metadata?.labels, creationTimestamp: rfc3339(Date.now()) },
      timestamp: u.timestamp, window: u.window, usage: u.usage,
    });
  }
  return out;
}
