// SPDX-License-Identifier: Apache-2.0
/**
 * End to end: a real `skiff server`, the Service proxy in this process with
 * its own chain prefix, and fake pods in network namespaces (NetnsLab).
 * Services have no selector; the test writes their EndpointSlices. All
 * traffic stays on this machine: cluster IPs come from a per-run /24 routed
 * to a dummy sink, the load-balancer address is on a dummy link, NodePorts
 * are reached on 127.0.0.1.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { HttpClient, loadKubeconfig } from '../../src/client/http-client.js';
import { R } from '../../src/client/client.js';
import type { KubeObject } from '../../src/api/object.js';
import { ServiceProxy } from '../../src/proxy/index.js';
import { NetnsLab, canRunNetns, type FakePod } from './netns/netns-lab.js';

const skip = canRunNetns() ? false : 'needs root, iproute2 and iptables';
const N = 10 + (process.pid % 200);
const PREFIX = `SKT${process.pid % 100000}`;
const SERVICE_CIDR = `10.97.${N}.0/24`;
const LB_IP = `10.254.${N}.1`;
const NS = 'proxy-e2e';

let server: ServerHandle;
let client: HttpClient;
let lab: NetnsLab;
let podA: FakePod;
let podB: FakePod;
let clientPod: FakePod;
let proxy: ServiceProxy;
const abort = new AbortController();
/** SvcObj is a Service as far as these tests read it. */
type SvcObj = KubeObject & { spec: { clusterIP?: string; ports: { nodePort?: number; [k: string]: unknown }[]; [k: string]: unknown } };

function iptablesSave(): string {
  return execFileSync('iptables-save').toString();
}

function httpFromNode(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = httpGet({ host, port, path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve(`ERR ${(err as NodeJS.ErrnoException).code ?? err.message}`));
  });
}

function slice(name: string, service: string, pods: FakePod[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true }, nodeName: 'node-a' })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    ...extra,
  };
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

before(async () => {
  if (skip) return;
  // The load balancer address is written below, as an external load balancer would: the server's own ServiceLB stays out.
  server = await startServer({ args: ['--service-cidr', SERVICE_CIDR, '--disable-servicelb'] });
  client = new HttpClient(loadKubeconfig(server.kubeconfig));
  lab = new NetnsLab(`p${process.pid % 10000}`, `10.244.${N}`);
  // The service range goes to a sink before anything else: an untranslated cluster IP packet must not leave the machine.
  lab.addSink('s', [], [SERVICE_CIDR]);
  lab.addSink('l', [`${LB_IP}/32`]);
  podA = lab.addPod('a');
  podB = lab.addPod('b');
  clientPod = lab.addPod('c');
  await Promise.all([lab.serveHttp(podA, 8080), lab.serveHttp(podB, 8080)]);
  server.kubectlOk(['create', 'namespace', NS]);
  proxy = new ServiceProxy(client, { nodeName: 'node-a', nodeIPs: [LB_IP], serviceCIDR: SERVICE_CIDR, clusterCIDR: `10.244.${N}.0/24`, chainPrefix: PREFIX, minSyncMs: 20 });
  await proxy.start(abort.signal);
});

after(async () => {
  if (skip) return;
  abort.abort();
  await proxy?.stop().catch(() => undefined);
  lab?.cleanup();
  await server?.stop();
});

test('ClusterIP, NodePort and LoadBalancer reach both endpoints', { skip }, async () => {
  const svc = await client.create<SvcObj>(
    R.services,
    { metadata: { name: 'web', namespace: NS }, spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } },
    { namespace: NS },
  );
  await client.create(R.endpointslices, slice('web-1', 'web', [podA, podB]), { namespace: NS });
  const clusterIP = svc.spec.clusterIP!;
  const nodePort = svc.spec.ports[0].nodePort!;
  await waitFor('rules for web', () => iptablesSave().includes(`${podB.ip}:8080`));

  const seen = new Set<string>();
  for (let i = 0; i < 30 && seen.size < 2; i++) seen.add(lab.curl(clientPod, `http://${clusterIP}/`));
  assert.deepEqual([...seen].sort(), ['a', 'b'], 'ClusterIP from a pod reaches both backends');

  const fromNode = new Set<string>();
  for (let i = 0; i < 30 && fromNode.size < 2; i++) fromNode.add(await httpFromNode(clusterIP, 80));
  assert.deepEqual([...fromNode].sort(), ['a', 'b'], 'ClusterIP from the node');

  assert.match(await httpFromNode('127.0.0.1', nodePort), /^[ab]$/, 'NodePort on 127.0.0.1');
  assert.match(lab.curl(clientPod, `http://${podA.hostIP}:${nodePort}/`), /^[ab]$/, 'NodePort on a node address from a pod');

  const fresh = await client.get<SvcObj>(R.services, 'web', { namespace: NS });
  await client.update(R.services, { ...fresh, status: { loadBalancer: { ingress: [{ ip: LB_IP, ipMode: 'VIP' }] } } }, { namespace: NS, subresource: 'status' });
  await waitFor('load balancer status', async () => {
    const cur = await client.get<KubeObject & { status?: { loadBalancer?: { ingress?: { ip: string }[] } } }>(R.services, 'web', { namespace: NS });
    return cur.status?.loadBalancer?.ingress?.[0]?.ip === LB_IP;
  });
  await waitFor('LB rules', () => iptablesSave().includes(`-d ${LB_IP}/32`));
  assert.match(await httpFromNode(LB_IP, 80), /^[ab]$/, 'LoadBalancer address on the Service port');
  assert.match(server.kubectlOk(['get', 'svc', 'web', '-n', NS]), new RegExp(LB_IP.replace(/\./g, '\\.')));

  // An endpoint removed from its slice leaves the rules (how fast is the benchmark's business, not a test's).
  const cur = await client.get(R.endpointslices, 'web-1', { namespace: NS });
  await client.update(R.endpointslices, { ...cur, endpoints: (cur.endpoints as unknown[]).slice(0, 1) }, { namespace: NS });
  await waitFor('endpoint b gone', () => !iptablesSave().includes(`${podB.ip}:8080`), 30_000);
  for (let i = 0; i < 10; i++) assert.equal(lab.curl(clientPod, `http://${clusterIP}/`), 'a');
});

test('sessionAffinity ClientIP keeps a client on one endpoint', { skip }, async () => {
  const svc = await client.create<SvcObj>(
    R.services,
    { metadata: { name: 'sticky', namespace: NS }, spec: { sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    { namespace: NS },
  );
  await client.create(R.endpointslices, slice('sticky-1', 'sticky', [podA, podB]), { namespace: NS });
  await waitFor('rules for sticky', () => iptablesSave().includes('recent'));
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) seen.add(lab.curl(clientPod, `http://${svc.spec.clusterIP}/`));
  assert.equal(seen.size, 1, `one backend, saw ${[...seen]}`);
});

test('a Service without ready endpoints is refused at once', { skip }, async () => {
  const svc = await client.create<SvcObj>(
    R.services,
    { metadata: { name: 'empty', namespace: NS }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    { namespace: NS },
  );
  const notReady = slice('empty-1', 'empty', [podA]);
  (notReady.endpoints as { conditions: { ready: boolean } }[])[0].conditions.ready = false;
  await client.create(R.endpointslices, notReady, { namespace: NS });
  await waitFor('reject rule', () => iptablesSave().split('\n').some((l) => l.includes(`${svc.spec.clusterIP}/32`) && l.includes('has no endpoints')));
  const started = Date.now();
  assert.match(lab.curl(clientPod, `http://${svc.spec.clusterIP}/`), /^ERR 7$/, 'connection refused');
  assert.ok(Date.now() - started < 1500, 'refused, not timed out');
});

test('restart rebuilds after a crash; stop removes every chain', { skip }, async () => {
  // A crash leaves rules behind: stop the first proxy's loop without its cleanup, then fake one more stale chain and a duplicate jump.
  abort.abort();
  const stale = `${PREFIX}-SVC-${'A'.repeat(Math.min(16, 28 - PREFIX.length - 5))}`;
  execFileSync('iptables-restore', ['--noflush'], {
    input: `*nat\n:${stale} - [0:0]\n-A ${stale} -j RETURN\n-A PREROUTING -m comment --comment "${PREFIX} service portals" -j ${PREFIX}-SERVICES\nCOMMIT\n`,
  });
  const second = new ServiceProxy(client, { nodeName: 'node-a', nodeIPs: [LB_IP], serviceCIDR: SERVICE_CIDR, clusterCIDR: `10.244.${N}.0/24`, chainPrefix: PREFIX, minSyncMs: 20 });
  const ac = new AbortController();
  await second.start(ac.signal);
  const saved = iptablesSave();
  assert.ok(!saved.includes(stale), 'stale chain removed');
  assert.equal(saved.split('\n').filter((l) => l.startsWith('-A PREROUTING') && l.includes(`${PREFIX}-SERVICES`)).length, 1, 'one jump');
  assert.ok(saved.includes(`${podA.ip}:8080`), 'rules rebuilt');
  ac.abort();
  await second.stop();
  await proxy.stop();
  assert.equal(iptablesSave().split('\n').filter((l) => l.includes(PREFIX)).join('\n'), '');
});
