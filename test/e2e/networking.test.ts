// SPDX-License-Identifier: Apache-2.0
/**
 * Networking end to end with REAL pods: one `skiff server` running its node
 * agent (containerd, CNI bridge, kubelet, service proxy, NetworkPolicy
 * enforcer, cluster DNS), the busybox image imported, and the real kubectl.
 * Every test has its own namespace with a `web` Deployment (busybox httpd
 * answering its own hostname) and a `client` pod that probes with wget and
 * nslookup through `kubectl exec`.
 *
 * Traffic stays on this machine: pod IPs and ClusterIPs (the test cluster's
 * own ranges), NodePorts on 127.0.0.1, and DNS queries from the test process
 * to the kube-dns ClusterIP. The LoadBalancer address the server publishes is
 * the node's InternalIP, the machine's LAN address, so only its status is
 * checked, never its reachability.
 *
 * Two quirks of Debian's static busybox 1.35 shape the probes: `wget -T`
 * segfaults (so `timeout 3 wget` instead), and its nslookup applies the
 * resolv.conf search list only to names without a dot, so `nslookup
 * kubernetes.default` fails there as on any real cluster (the reason the
 * Kubernetes DNS debugging guide pins busybox 1.28). The search path for
 * `kubernetes.default` is proven through the libc resolver (ping prints the
 * address it resolved; the ICMP itself goes to a ClusterIP and dies in the
 * node's sink route).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promises as dns } from 'node:dns';
import { startServer, SKIFF_BIN, type ServerHandle } from '../harness/server-harness.js';
import { busyboxImage, BUSYBOX_IMAGE } from '../../src/images/index.js';
import { agentUnavailableReason } from './fixtures/agent-server.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';

const skip = agentUnavailableReason();

let server: ServerHandle;
let nsCounter = 0;

const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> => waitForShared(what, fn, timeoutMs, 200);

/** web is a Deployment of busybox httpd pods answering their hostname on :8080, ready while /www/ready exists. */
function webDeployment(ns: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns },
    spec: {
      replicas, selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'httpd', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && touch /www/ready && exec httpd -f -p 8080 -h /www'],
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 },
          }],
        },
      },
    },
  });
}

function service(ns: string, name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...spec } });
}

const clientPod = (ns: string): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: ns, labels: { app: 'client' } },
  spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
});

/** Scenario is one test's namespace with its web pods and client. */
interface Scenario {
  ns: string;
  /** exec runs a command in the client pod. */
  exec(cmd: string[], timeoutMs?: number): { code: number; stdout: string; stderr: string };
  /** fetch GETs a URL from the client pod (3 s timeout) and returns the body, or '' on failure. */
  fetch(url: string): string;
  clusterIP(name: string): string;
  webPods(): { name: string; ip: string }[];
}

function apply(doc: string): void {
  server.kubectlOk(['apply', '-f', '-'], { input: doc });
}

/** scenario creates a namespace with `web` (replicas, Service `web`) and the client pod, all ready. */
async function scenario(replicas: number, extra: string[] = []): Promise<Scenario> {
  const ns = `net-${process.pid % 10000}-${++nsCounter}`;
  server.kubectlOk(['create', 'namespace', ns]);
  for (const doc of [webDeployment(ns, replicas), service(ns, 'web', {}), clientPod(ns), ...extra]) apply(doc);
  const s: Scenario = {
    ns,
    exec: (cmd, timeoutMs = 20_000) => server.kubectl(['exec', '-n', ns, 'client', '--', ...cmd], { timeoutMs }),
    fetch: (url) => {
      const r = s.exec(['timeout', '3', 'wget', '-qO-', url]);
      return r.code === 0 ? r.stdout.trim() : '';
    },
    clusterIP: (name) => server.kubectlOk(['get', 'service', name, '-n', ns, '-o', 'jsonpath={.spec.clusterIP}']),
    webPods: () => {
      const list = JSON.parse(server.kubectlOk(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'json'])) as { items: { metadata: { name: string; deletionTimestamp?: string }; status: { podIP?: string } }[] };
      return list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => ({ name: p.metadata.name, ip: p.status.podIP ?? '' }));
    },
  };
  const rollout = server.kubectl(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(rollout.code, 0, `web did not roll out:\n${rollout.stderr}\n${server.kubectl(['get', 'pods,events', '-n', ns, '-o', 'wide']).stdout}`);
  const ready = server.kubectl(['wait', '-n', ns, '--for=condition=Ready', 'pod/client', '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(ready.code, 0, `client not ready:\n${ready.stderr}\n${server.kubectl(['describe', 'pod', 'client', '-n', ns]).stdout}`);
  // The proxy applies endpoint changes asynchronously: wait until the Service answers once.
  await waitFor('web Service answering by ClusterIP', () => s.fetch(`http://${s.clusterIP('web')}/`));
  return s;
}

/** hostnames fetches url n times from the client in one exec and returns the answers. */
function hostnames(s: Scenario, url: string, n: number): string[] {
  const r = s.exec(['sh', '-c', `for i in $(seq ${n}); do timeout 3 wget -qO- ${url} || echo FAIL; done`], 60_000);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

function httpFromNode(host: string, port: number, path = '/'): Promise<string> {
  return new Promise((resolve) => {
    const req = httpGet({ host, port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve(`ERR ${(err as NodeJS.ErrnoException).code ?? err.message}`));
  });
}

/** clusterResolver asks the cluster DNS through the kube-dns ClusterIP, as a pod would. */
function clusterResolver(): dns.Resolver {
  const ip = server.kubectlOk(['get', 'service', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP}']);
  const r = new dns.Resolver({ timeout: 2000, tries: 2 });
  r.setServers([ip]);
  return r;
}

describe('networking with real pods', { skip: skip || undefined, timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer({ agent: true });
    const dir = mkdtempSync(join(tmpdir(), 'skiff-net-img-'));
    try {
      const archive = join(dir, 'busybox.oci.tar');
      writeFileSync(archive, busyboxImage());
      const imp = spawnSync(process.execPath, [SKIFF_BIN, 'image', 'import', archive, '--data-dir', server.dataDir], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(imp.status, 0, `skiff image import failed:\n${imp.stderr}${imp.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  after(async () => {
    await server?.stop();
  });

  it('a pod reaches a Service by DNS name, short name and ClusterIP; kubernetes.default resolves', async () => {
    const s = await scenario(1);
    const [pod] = s.webPods();
    assert.equal(s.fetch(`http://${s.clusterIP('web')}/`), pod.name);
    assert.equal(s.fetch(`http://web.${s.ns}.svc.cluster.local/`), pod.name);
    assert.equal(s.fetch('http://web/'), pod.name, 'short name through the resolv.conf search path');
    const resolv = s.exec(['cat', '/etc/resolv.conf']).stdout;
    assert.match(resolv, new RegExp(`search ${s.ns}\\.svc\\.cluster\\.local svc\\.cluster\\.local cluster\\.local`));
    assert.match(resolv, /options ndots:5/);
    const kubeIP = server.kubectlOk(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP}']);
    const look = s.exec(['nslookup', 'kubernetes.default.svc.cluster.local']);
    assert.equal(look.code, 0, `nslookup kubernetes.default.svc.cluster.local failed:\n${look.stdout}${look.stderr}`);
    assert.ok(look.stdout.includes(kubeIP), `nslookup names ${kubeIP}:\n${look.stdout}`);
    // ndots:5 sends "kubernetes.default" through the search list first: default.svc.cluster.local does not hold it, svc.cluster.local does.
    const ping = s.exec(['ping', '-c', '1', '-W', '1', 'kubernetes.default']);
    assert.match(ping.stdout, new RegExp(`PING kubernetes\\.default \\(${kubeIP.replaceAll('.', '\\.')}\\)`), `kubernetes.default through the search path:\n${ping.stdout}${ping.stderr}`);
  });

  it('spreads requests over three replicas', async () => {
    const s = await scenario(3);
    const names = new Set(s.webPods().map((p) => p.name));
    assert.equal(names.size, 3);
    await waitFor('three ready endpoints', () => server.kubectlOk(['get', 'endpointslices', '-n', s.ns, '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}']).split(' ').filter(Boolean).length === 3);
    const answers = hostnames(s, `http://${s.clusterIP('web')}/`, 30);
    assert.equal(answers.length, 30);
    for (const a of answers) assert.ok(names.has(a), `answer ${a} is one of the web pods`);
    assert.ok(new Set(answers).size >= 2, `30 requests reached ${new Set(answers).size} pod(s): ${answers.join(' ')}`);
  });

  it('a pod failing readiness stops receiving traffic within seconds', async () => {
    const s = await scenario(2);
    const [victim, other] = s.webPods();
    const r = server.kubectl(['exec', '-n', s.ns, victim.name, '--', 'rm', '/www/ready']);
    assert.equal(r.code, 0, r.stderr);
    const t0 = Date.now();
    await waitFor(`${victim.name} NotReady`, () => server.kubectlOk(['get', 'pod', victim.name, '-n', s.ns, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']) === 'False', 10_000);
    await waitFor(`${victim.name} out of the EndpointSlice`, () => !server.kubectlOk(['get', 'endpointslices', '-n', s.ns, '-o', 'jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}']).includes(victim.ip), 10_000);
    // Give the proxy its coalescing moment, then no request may reach the unready pod.
    await new Promise((res) => setTimeout(res, 500));
    const answers = hostnames(s, `http://${s.clusterIP('web')}/`, 15);
    assert.deepEqual([...new Set(answers)], [other.name], `after readiness failed (${Date.now() - t0} ms), answers: ${answers.join(' ')}`);
  });

  it('a NodePort answers on 127.0.0.1 and a LoadBalancer Service gets an ingress address', async () => {
    const s = await scenario(1, []);
    apply(service(s.ns, 'web-np', { type: 'NodePort' }));
    apply(service(s.ns, 'web-lb', { type: 'LoadBalancer' }));
    const [pod] = s.webPods();
    const nodePort = Number(server.kubectlOk(['get', 'service', 'web-np', '-n', s.ns, '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    assert.ok(nodePort >= 30000 && nodePort <= 32767, `nodePort ${nodePort}`);
    await waitFor(`NodePort ${nodePort} on 127.0.0.1`, async () => (await httpFromNode('127.0.0.1', nodePort)) === pod.name, 10_000);
    const lbNodePort = Number(server.kubectlOk(['get', 'service', 'web-lb', '-n', s.ns, '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    await waitFor(`LoadBalancer's NodePort ${lbNodePort} on 127.0.0.1`, async () => (await httpFromNode('127.0.0.1', lbNodePort)) === pod.name, 10_000);
    const ingress = await waitFor('status.loadBalancer.ingress', () => server.kubectlOk(['get', 'service', 'web-lb', '-n', s.ns, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']), 10_000);
    const nodeIP = server.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}']);
    assert.equal(ingress, nodeIP, 'ServiceLB publishes the node address');
    const external = server.kubectlOk(['get', 'service', 'web-lb', '-n', s.ns]);
    assert.ok(external.includes(nodeIP), `kubectl get shows the EXTERNAL-IP:\n${external}`);
  });

  it('a default-deny NetworkPolicy blocks client → web, and an allow rule lets it through', async () => {
    const s = await scenario(1);
    const [pod] = s.webPods();
    const url = `http://${s.clusterIP('web')}/`;
    apply(JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: s.ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }));
    await waitFor('default deny to take effect', () => s.fetch(url) === '', 10_000);
    // Direct to the pod IP is blocked too, not only through the Service.
    assert.equal(s.fetch(`http://${pod.ip}:8080/`), '');
    apply(JSON.stringify({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-client', namespace: s.ns },
      spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 8080 }] }] },
    }));
    await waitFor('allow rule to take effect', () => s.fetch(url) === pod.name, 10_000);
    assert.equal(s.fetch(`http://web.${s.ns}.svc.cluster.local/`), pod.name, 'DNS (egress to kube-dns) is unaffected by an ingress policy');
    server.kubectlOk(['delete', 'networkpolicy', 'allow-client', '-n', s.ns]);
    await waitFor('deny again after the allow rule is deleted', () => s.fetch(url) === '', 10_000);
  });

  it('a headless Service resolves to pod IPs and an ExternalName Service to a CNAME', async () => {
    const s = await scenario(2, []);
    apply(service(s.ns, 'web-headless', { clusterIP: 'None' }));
    apply(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: s.ns }, spec: { type: 'ExternalName', externalName: `web.${s.ns}.svc.cluster.local` } }));
    const podIPs = s.webPods().map((p) => p.ip).sort();
    const resolver = clusterResolver();
    const fqdn = `web-headless.${s.ns}.svc.cluster.local`;
    await waitFor('headless A records', async () => JSON.stringify((await resolver.resolve4(fqdn)).sort()) === JSON.stringify(podIPs), 10_000);
    const look = s.exec(['nslookup', `web-headless.${s.ns}.svc.cluster.local`]);
    for (const ip of podIPs) assert.ok(look.stdout.includes(ip), `nslookup from the pod lists ${ip}:\n${look.stdout}${look.stderr}`);
    assert.ok(!look.stdout.includes(s.clusterIP('web')), 'no ClusterIP for a headless Service');
    const cname = await waitFor('ExternalName CNAME', async () => (await resolver.resolveCname(`ext.${s.ns}.svc.cluster.local`))[0], 10_000);
    assert.equal(cname, `web.${s.ns}.svc.cluster.local`);
    const [webPod] = s.webPods();
    assert.ok([webPod.name, s.webPods()[1].name].includes(s.fetch(`http://ext.${s.ns}.svc.cluster.local/`)), 'the CNAME chain leads to the web Service');
  });
});
