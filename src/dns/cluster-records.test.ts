// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildReverseIndex, ClusterZone, type ClusterView } from './cluster-records.js';
import { CLASS_IN, RCODE, TYPE, type SrvData } from './dns-message.js';

const services: Service[] = [
  { metadata: { namespace: 'default', name: 'kubernetes' }, spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } },
  { metadata: { namespace: 'app', name: 'web' }, spec: { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 81 }] } },
  { metadata: { namespace: 'app', name: 'db' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] } },
  { metadata: { namespace: 'app', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
  { metadata: { namespace: 'app', name: 'alias' }, spec: { type: 'ExternalName', externalName: 'web.app.svc.cluster.local' } },
];
const slices: EndpointSlice[] = [
  {
    metadata: { namespace: 'app', name: 'db-1', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.42.0.7'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.42.0.8'], conditions: { ready: true } },
      { addresses: ['10.42.0.9'], hostname: 'db-2', conditions: { ready: false } },
    ],
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  },
];
const pods: Pod[] = [
  { metadata: { namespace: 'app', name: 'solo' }, spec: { containers: [], hostname: 'solo', subdomain: 'db' }, status: { podIP: '10.42.0.11', conditions: [{ type: 'Ready', status: 'True' }] } },
];

const zone = new ClusterZone('cluster.local');
const reverse = buildReverseIndex(services, slices, 'cluster.local');
const view: ClusterView = {
  service: (ns, name) => services.find((s) => s.metadata?.namespace === ns && s.metadata?.name === name),
  hasNamespace: (ns) => services.some((s) => s.metadata?.namespace === ns),
  endpointSlices: (ns, svc) => slices.filter((s) => s.metadata?.namespace === ns && s.metadata?.labels?.['kubernetes.io/service-name'] === svc),
  podsWithSubdomain: (ns, sub) => pods.filter((p) => p.metadata?.namespace === ns && p.spec?.subdomain === sub),
  namesForIP: (ip) => reverse.get(ip) ?? [],
};

function ask(name: string, type: number = TYPE.A) {
  return zone.lookup(view, { name, type, class: CLASS_IN });
}

test('A for a ClusterIP Service, case-insensitively, with the asked spelling', () => {
  const r = ask('Web.App.svc.cluster.local')!;
  assert.equal(r.rcode, RCODE.NOERROR);
  assert.deepEqual(r.answers.map((a) => [a.name, a.data, a.ttl]), [['Web.App.svc.cluster.local', '10.43.0.20', 5]]);
  assert.deepEqual(ask('kubernetes.default.svc.cluster.local')!.answers.map((a) => a.data), ['10.43.0.1']);
});

test('headless Services answer with ready endpoints, endpoint hostnames and pod hostname/subdomain', () => {
  assert.deepEqual(ask('db.app.svc.cluster.local')!.answers.map((a) => a.data), ['10.42.0.7', '10.42.0.8']);
  assert.deepEqual(ask('db-0.db.app.svc.cluster.local')!.answers.map((a) => a.data), ['10.42.0.7']);
  assert.deepEqual(ask('10-42-0-8.db.app.svc.cluster.local')!.answers.map((a) => a.data), ['10.42.0.8']);
  assert.deepEqual(ask('solo.db.app.svc.cluster.local')!.answers.map((a) => a.data), ['10.42.0.11']);
  assert.equal(ask('db-2.db.app.svc.cluster.local')!.rcode, RCODE.NXDOMAIN);
});

test('SRV for named ports: service target for ClusterIP, endpoint targets for headless', () => {
  const web = ask('_http._tcp.web.app.svc.cluster.local', TYPE.SRV)!;
  assert.deepEqual(web.answers.map((a) => a.data), [{ priority: 0, weight: 100, port: 80, target: 'web.app.svc.cluster.local' }]);
  assert.deepEqual(web.additionals.map((a) => a.data), ['10.43.0.20']);
  const db = ask('_pg._tcp.db.app.svc.cluster.local', TYPE.SRV)!;
  assert.deepEqual(db.answers.map((a) => (a.data as SrvData).target).sort(), ['10-42-0-8.db.app.svc.cluster.local', 'db-0.db.app.svc.cluster.local']);
  assert.equal(ask('_nope._tcp.web.app.svc.cluster.local', TYPE.SRV)!.rcode, RCODE.NXDOMAIN);
  // An unnamed port has no SRV record; the named one still answers a plain SRV query.
  assert.equal(ask('web.app.svc.cluster.local', TYPE.SRV)!.answers.length, 1);
});

test('ExternalName: CNAME, chased upstream outside the zone and inside it directly', () => {
  const ext = ask('ext.app.svc.cluster.local')!;
  assert.deepEqual(ext.answers.map((a) => [a.type, a.data]), [[TYPE.CNAME, 'db.example.com']]);
  assert.equal(ext.chase, 'db.example.com');
  const alias = ask('alias.app.svc.cluster.local')!;
  assert.deepEqual(alias.answers.map((a) => a.data), ['web.app.svc.cluster.local', '10.43.0.20']);
  assert.equal(alias.chase, undefined);
});

test('PTR for cluster IPs and headless endpoints; other addresses are forwarded', () => {
  assert.deepEqual(ask('20.0.43.10.in-addr.arpa', TYPE.PTR)!.answers.map((a) => a.data), ['web.app.svc.cluster.local']);
  assert.deepEqual(ask('7.0.42.10.in-addr.arpa', TYPE.PTR)!.answers.map((a) => a.data), ['db-0.db.app.svc.cluster.local']);
  assert.equal(ask('1.1.168.192.in-addr.arpa', TYPE.PTR), undefined);
});

test('NXDOMAIN and NODATA carry the SOA; outside names are not ours', () => {
  const nx = ask('missing.app.svc.cluster.local')!;
  assert.equal(nx.rcode, RCODE.NXDOMAIN);
  assert.equal(nx.authorities[0].type, TYPE.SOA);
  const nodata = ask('web.app.svc.cluster.local', TYPE.AAAA)!;
  assert.equal(nodata.rcode, RCODE.NOERROR);
  assert.equal(nodata.answers.length, 0);
  assert.equal(nodata.authorities[0].type, TYPE.SOA);
  assert.equal(ask('app.svc.cluster.local')!.rcode, RCODE.NOERROR);
  assert.equal(ask('nons.svc.cluster.local')!.rcode, RCODE.NXDOMAIN);
  assert.equal(ask('cluster.local', TYPE.SOA)!.answers[0].type, TYPE.SOA);
  assert.deepEqual(ask('10-42-0-5.app.pod.cluster.local')!.answers.map((a) => a.data), ['10.42.0.5']);
  assert.equal(ask('example.com'), undefined);
  assert.equal(ask('notcluster.local'), undefined);
});
