// SPDX-License-Identifier: Apache-2.0
/**
 * End to end: a real `skiff server` and the cluster DNS server in this
 * process on a free loopback port, queried with Node's resolver (c-ares)
 * the way a pod's libc would. Outside names go to a fake upstream on
 * 127.0.0.2:5353 (there is no internet here).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { HttpClient, loadKubeconfig } from '../../src/client/http-client.js';
import { R } from '../../src/client/client.js';
import type { KubeObject } from '../../src/api/object.js';
import { ClusterDNS } from '../../src/dns/index.js';
import { CLASS_IN, TYPE } from '../../src/dns/dns-message.js';
import { decodeMessage } from '../../src/dns/dns-decode.js';
import { encodeMessage } from '../../src/dns/dns-encode.js';
import { DnsServer } from '../../src/dns/dns-server.js';

const N = 10 + (process.pid % 200);
const SERVICE_CIDR = `10.98.${N}.0/24`;
const DNS_IP = `10.98.${N}.10`;
const NS = 'dns-e2e';
const OUTSIDE_IP = '198.51.100.7';

let server: ServerHandle;
let client: HttpClient;
let dns: ClusterDNS;
let upstream: DnsServer;
let resolver: Resolver;
const abort = new AbortController();

/** fakeUpstream answers A for names under `example.` and NXDOMAIN otherwise. */
function fakeUpstream(): DnsServer {
  return new DnsServer(async (raw) => {
    const q = decodeMessage(raw);
    const name = q.questions[0].name;
    const known = name.endsWith('example');
    return encodeMessage({
      ...q,
      qr: true,
      ra: true,
      rcode: known ? 0 : 3,
      answers: known && q.questions[0].type === TYPE.A ? [{ name, type: TYPE.A, class: CLASS_IN, ttl: 30, data: OUTSIDE_IP }] : [],
      additionals: [],
    });
  });
}

async function eventually<T>(fn: () => Promise<T>, ms = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() - start > ms) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

before(async () => {
  server = await startServer({ args: ['--service-cidr', SERVICE_CIDR] });
  client = new HttpClient(loadKubeconfig(server.kubeconfig));
  upstream = fakeUpstream();
  await upstream.listen({ host: '127.0.0.2', port: 5353 });
  dns = new ClusterDNS(client, {
    listenAddresses: [{ host: '127.0.0.1', port: 0 }],
    upstreams: ['127.0.0.2:5353'],
    kubeDNS: { clusterIP: DNS_IP, endpointAddress: `10.244.${N}.1`, endpointPort: 53 },
  });
  await dns.start(abort.signal);
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${dns.addresses[0].port}`]);
  server.kubectlOk(['create', 'namespace', NS]);
});

after(async () => {
  abort.abort();
  await dns?.stop();
  await upstream?.close();
  await server?.stop();
});

test('kube-dns Service sits at the cluster DNS IP with our EndpointSlice', async () => {
  const svc = await client.get<KubeObject & { spec: { clusterIP: string; ports: { name: string; protocol: string }[] } }>(R.services, 'kube-dns', { namespace: 'kube-system' });
  assert.equal(svc.spec.clusterIP, DNS_IP);
  assert.deepEqual(svc.spec.ports.map((p) => `${p.name}/${p.protocol}`), ['dns/UDP', 'dns-tcp/TCP']);
  const slice = await client.get<KubeObject & { endpoints: { addresses: string[] }[] }>(R.endpointslices, 'kube-dns-skiff', { namespace: 'kube-system' });
  assert.deepEqual(slice.endpoints[0].addresses, [`10.244.${N}.1`]);
  assert.deepEqual(await resolver.resolve4('kube-dns.kube-system.svc.cluster.local'), [DNS_IP]);
});

test('A, SRV and PTR for a Service; kubernetes.default', async () => {
  const svc = await client.create<KubeObject & { spec: { clusterIP?: string; ports: unknown[] } }>(R.services, { metadata: { name: 'web', namespace: NS }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } }, { namespace: NS });
  const ip = svc.spec.clusterIP!;
  assert.deepEqual(await eventually(() => resolver.resolve4(`web.${NS}.svc.cluster.local`)), [ip]);
  assert.deepEqual(await resolver.resolveSrv(`_http._tcp.web.${NS}.svc.cluster.local`), [{ name: `web.${NS}.svc.cluster.local`, port: 80, priority: 0, weight: 100 }]);
  assert.deepEqual(await resolver.reverse(ip), [`web.${NS}.svc.cluster.local`]);
  assert.deepEqual(await resolver.resolve4('kubernetes.default.svc.cluster.local'), [`10.98.${N}.1`]);
  await assert.rejects(resolver.resolve4(`nope.${NS}.svc.cluster.local`), { code: 'ENOTFOUND' });
});

test('headless Service: endpoint and StatefulSet-style hostnames; large answers fall back to TCP', async () => {
  await client.create(R.services, { metadata: { name: 'db', namespace: NS }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } }, { namespace: NS });
  const endpoints = Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.244.${N}.${i + 2}`], hostname: `db-${i}`, conditions: { ready: true } }));
  await client.create(R.endpointslices, { metadata: { name: 'db-1', namespace: NS, labels: { 'kubernetes.io/service-name': 'db' } }, addressType: 'IPv4', endpoints, ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }, { namespace: NS });
  assert.deepEqual(await eventually(() => resolver.resolve4(`db-1.db.${NS}.svc.cluster.local`)), [`10.244.${N}.3`]);
  // 60 A records exceed 512 bytes: the UDP answer has TC and c-ares asks again over TCP.
  assert.equal((await resolver.resolve4(`db.${NS}.svc.cluster.local`)).length, 60);
  const srv = await resolver.resolveSrv(`_pg._tcp.db.${NS}.svc.cluster.local`);
  assert.equal(srv.length, 60);
  assert.ok(srv.some((s) => s.name === `db-0.db.${NS}.svc.cluster.local` && s.port === 5432));
});

test('ExternalName is a CNAME; outside names are forwarded upstream', async () => {
  await client.create(R.services, { metadata: { name: 'ext', namespace: NS }, spec: { type: 'ExternalName', externalName: 'db.outside.example' } }, { namespace: NS });
  assert.deepEqual(await eventually(() => resolver.resolveCname(`ext.${NS}.svc.cluster.local`)), ['db.outside.example']);
  assert.deepEqual(await resolver.resolve4(`ext.${NS}.svc.cluster.local`), [OUTSIDE_IP]);
  assert.deepEqual(await resolver.resolve4('www.outside.example'), [OUTSIDE_IP]);
  await assert.rejects(resolver.resolve4('missing.invalid'), { code: 'ENOTFOUND' });
});
