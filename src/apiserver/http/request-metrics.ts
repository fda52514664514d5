// SPDX-License-Identifier: Apache-2.0
/**
 * RequestMetrics counts every request the API server answers and renders
 * them for `/metrics` in the Prometheus text format (version 0.0.4), with
 * upstream's metric names, labels and help texts
 * (k8s.io/apiserver/pkg/endpoints/metrics): apiserver_request_total,
 * apiserver_request_duration_seconds and apiserver_current_inflight_requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceRequestInfo } from './request-info.js';

/** The request-duration buckets upstream uses (seconds). */
const BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/** PROMETHEUS_TEXT is the media type of the Prometheus text exposition format. */
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

interface Histogram {
  labels: string;
  counts: number[];
  sum: number;
  count: number;
}

/** reportedVerb is upstream's verb label: the request verb upper-cased, LIST and WATCH told apart from GET. */
function reportedVerb(method: string, info: ResourceRequestInfo | undefined): string {
  if (!info) return method.toUpperCase();
  switch (info.verb) {
    case 'list':
      return 'LIST';
    case 'watch':
      return 'WATCH';
    case 'connect':
      return 'CONNECT';
    case 'patch':
      return 'PATCH';
    default:
      return method.toUpperCase();
  }
}

/** scopeOf is upstream's scope label: resource (named), namespace, cluster, or empty for non-resource paths. */
function scopeOf(info: ResourceRequestInfo | undefined): string {
  if (!info) return '';
  if (info.name) return 'resource';
  return info.namespace ? 'namespace' : 'cluster';
}

/** NEEDS_ESCAPE finds what the text format escapes in a label value; names rarely hold any. */
const NEEDS_ESCAPE = /[\\\n"]/;

function escape(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Series is one label set (all labels but the code): its duration histogram and its count per status code. */
interface Series extends Histogram {
  totals: Map<number, number>;
}

export class RequestMetrics {
  /** Series by a short key of their labels, so a request neither renders nor hashes the long label text. */
  readonly #series = new Map<string, Series>();
  #inflight = { readOnly: 0, mutating: 0 };

  /** observe counts `req` when its answer is done (watches count when they end, as upstream). */
  observe(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo | undefined): void {
    const start = performance.now();
    const method = req.method ?? 'GET';
    const kind = method === 'GET' || method === 'HEAD' ? 'readOnly' : 'mutating';
    this.#inflight[kind]++;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      this.#inflight[kind]--;
      const dryRun = (req.url ?? '').includes('dryRun=') ? 'All' : '';
      const verb = reportedVerb(method, info);
      const scope = scopeOf(info);
      // Path-derived labels are length-prefixed, so no two label sets share a key whatever they hold.
      const sub = info?.subresource ?? '';
      const key = info ? `${dryRun}|${verb}|${scope}|${info.group.length}:${info.group}${info.version.length}:${info.version}${info.resource.length}:${info.resource}${sub.length}:${sub}` : `${dryRun}|${verb}`;
      let h = this.#series.get(key);
      if (!h) {
        const base = `component="apiserver",dry_run="${dryRun}",group="${escape(info?.group ?? '')}",resource="${escape(info?.resource ?? '')}",scope="${scope}",subresource="${escape(info?.subresource ?? '')}",verb="${verb}",version="${escape(info?.version ?? '')}"`;
        this.#series.set(key, (h = { labels: base, counts: BUCKETS.map(() => 0), sum: 0, count: 0, totals: new Map() }));
      }
      const code = res.statusCode;
      h.totals.set(code, (h.totals.get(code) ?? 0) + 1);
      const seconds = (performance.now() - start) / 1000;
      for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) h.counts[i]++;
      h.sum += seconds;
      h.count++;
    };
    // Both events (an answer that finishes also closes); the flag counts it once.
    res.on('finish', finish);
    res.on('close', finish);
  }

  /** render writes every metric in the Prometheus text format, series sorted for stable output. */
  render(): string {
    const out: string[] = [];
    out.push('# HELP apiserver_current_inflight_requests [STABLE] Maximal number of currently used inflight request limit of this apiserver per request kind in last second.');
    out.push('# TYPE apiserver_current_inflight_requests gauge');
    out.push(`apiserver_current_inflight_requests{request_kind="mutating"} ${this.#inflight.mutating}`);
    out.push(`apiserver_current_inflight_requests{request_kind="readOnly"} ${this.#inflight.readOnly}`);
    out.push('# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.');
    out.push('# TYPE apiserver_request_duration_seconds histogram');
    const series = [...this.#series.values()];
    for (const h of series.sort((a, b) => (a.labels < b.labels ? -1 : 1))) {
      BUCKETS.forEach((le, i) => out.push(`apiserver_request_duration_seconds_bucket{${h.labels},le="${le}"} ${h.counts[i]}`));
      out.push(`apiserver_request_duration_seconds_bucket{${h.labels},le="+Inf"} ${h.count}`);
      out.push(`apiserver_request_duration_seconds_sum{${h.labels}} ${h.sum}`);
      out.push(`apiserver_request_duration_seconds_count{${h.labels}} ${h.count}`);
    }
    out.push('# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.');
    out.push('# TYPE apiserver_request_total counter');
    const totals: [string, number][] = [];
    for (const h of series) for (const [code, n] of h.totals) totals.push([`code="${code}",${h.labels}`, n]);
    for (const [labels, n] of totals.sort((a, b) => (a[0] < b[0] ? -1 : 1))) out.push(`apiserver_request_total{${labels}} ${n}`);
    out.push('# HELP process_start_time_seconds [ALPHA] Start time of the process since unix epoch in seconds.');
    out.push('# TYPE process_start_time_seconds gauge');
    out.push(`process_start_time_seconds ${Math.floor(Date.now() / 1000 - process.uptime())}`);
    return out.join('\n') + '\n';
  }
}
