// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMetrics } from './request-metrics.js';
import type { ResourceRequestInfo } from './request-info.js';

function request(metrics: RequestMetrics, method: string, url: string, info: ResourceRequestInfo | undefined, code: number): void {
  const res = Object.assign(new EventEmitter(), { statusCode: code });
  metrics.observe({ method, url } as IncomingMessage, res as unknown as ServerResponse, info);
  res.statusCode = code;
  res.emit('finish');
  res.emit('close'); // an answer that finishes also closes: counted once
}

const configmaps = (over: Partial<ResourceRequestInfo> = {}): ResourceRequestInfo => ({ verb: 'create', group: '', version: 'v1', resource: 'configmaps', namespace: 'a', rest: [], ...over });

test('requests are counted once per label set and code, and rendered in upstream form', () => {
  const m = new RequestMetrics();
  request(m, 'POST', '/api/v1/namespaces/a/configmaps', configmaps(), 201);
  request(m, 'POST', '/api/v1/namespaces/a/configmaps', configmaps(), 201);
  request(m, 'POST', '/api/v1/namespaces/a/configmaps', configmaps(), 409);
  request(m, 'POST', '/api/v1/namespaces/a/configmaps?dryRun=All', configmaps(), 201);
  // Path-derived labels that would run together under a plain separator stay apart.
  request(m, 'GET', '/api/v1/x', configmaps({ verb: 'get', resource: 'a|b', subresource: undefined, name: 'n' }), 404);
  request(m, 'GET', '/api/v1/x', configmaps({ verb: 'get', resource: 'a', subresource: 'b|', name: 'n' }), 404);
  request(m, 'GET', '/healthz', undefined, 200);
  const text = m.render();
  const totals = text.split('\n').filter((l) => l.startsWith('apiserver_request_total{'));
  assert.deepEqual(totals, [
    'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="",scope="",subresource="",verb="GET",version=""} 1',
    'apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 2',
    'apiserver_request_total{code="201",component="apiserver",dry_run="All",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 1',
    'apiserver_request_total{code="404",component="apiserver",dry_run="",group="",resource="a",scope="resource",subresource="b|",verb="GET",version="v1"} 1',
    'apiserver_request_total{code="404",component="apiserver",dry_run="",group="",resource="a|b",scope="resource",subresource="",verb="GET",version="v1"} 1',
    'apiserver_request_total{code="409",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 1',
  ]);
  const counts = text.split('\n').filter((l) => l.startsWith('apiserver_request_duration_seconds_count{'));
  assert.deepEqual(counts, [
    'apiserver_request_duration_seconds_count{component="apiserver",dry_run="",group="",resource="",scope="",subresource="",verb="GET",version=""} 1',
    'apiserver_request_duration_seconds_count{component="apiserver",dry_run="",group="",resource="a",scope="resource",subresource="b|",verb="GET",version="v1"} 1',
    'apiserver_request_duration_seconds_count{component="apiserver",dry_run="",group="",resource="a|b",scope="resource",subresource="",verb="GET",version="v1"} 1',
    'apiserver_request_duration_seconds_count{component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 3',
    'apiserver_request_duration_seconds_count{component="apiserver",dry_run="All",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 1',
  ]);
  assert.match(text, /apiserver_current_inflight_requests\{request_kind="mutating"\} 0\n/);
});
