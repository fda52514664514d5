// SPDX-License-Identifier: Apache-2.0
/**
 * One pod network across machines, end to end: a `skiff server` and two
 * `skiff agent`s, each in its own network namespace on a TEST-NET bridge
 * (test/e2e/machines), joined with `skiff token create` and `skiff agent
 * --server URL --token TOKEN`, pods on real containerd in every machine,
 * the VXLAN backend between them and the real kubectl from the host.
 *
 * The checklist is k3s users' most common multi-node complaints: pods on
 * different nodes talk by pod IP, a ClusterIP works from every node to
 * endpoints on every node, a NodePort answers on every node's address,
 * DNS works from a pod on the node that joined last, the Ingress on the
 * server reaches a pod on an agent, NetworkPolicy holds across nodes, and a
 * LoadBalancer Service is published at (and answers at) every Ready node.
 * Traffic goes only to addresses the lab created (machines and pods).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentUnavailableReason } from './fixtures/agent-server.js';
import { machinesUnavailableReason } from './machines/machine-lab.js';
import { MachineCluster } from './machines/cluster.js';
import { waitFor } from '../harness/wait-for.js';
import { webDeployment, podOn, type PodInfo } from './machines/workloads.js';

const skip = agentUnavailableReason() || machinesUnavailableReason();
const NS = 'podnet';

let c: MachineCluster;

function apply(doc: unknown): void {
  c.kubectlOk(['apply', '-f', '-'], JSON.stringify(doc));
}

function pods(selector: string): PodInfo[] {
  const list = c.json<{ items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { podIP?: string } }[] }>(['pods', '-n', NS, '-l', selector]);
  return list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => ({ name: p.metadata.name, node: p.spec.nodeName ?? '', ip: p.status.podIP ?? '' }));
}

/** fetchFrom GETs a URL from inside a pod with busybox wget (3 s limit); '' when it fails. */
function fetchFrom(pod: string, url: string): string {
  const r = c.kubectl(['exec', '-n', NS, pod, '--', 'timeout', '3', 'wget', '-qO-', url]);
  return r.code === 0 ? r.stdout.trim() : '';
}

/** httpGet asks from the test host (on the lab bridge), optionally with a Host header. */
function httpGet(host: string, port: number, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', headers, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve(`ERR ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    req.end();
  });
}

/**
 * streamUntil runs a long-lived kubectl (port-forward, attach) until its
 * output matches `want` or 60 s pass, then stops it; it answers the match.
 */
function streamUntil(args: string[], want: RegExp, use?: (m: RegExpMatchArray) => Promise<void>): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: c.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    const finish = (err?: Error, m?: RegExpMatchArray) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGTERM');
      if (err) reject(err);
      else resolve(m!);
    };
    const timer = setTimeout(() => finish(new Error(`kubectl ${args.join(' ')}: no ${want} in 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = want.exec(out);
      if (m && !done) (use ? use(m) : Promise.resolve()).then(() => finish(undefined, m), (err: Error) => finish(err));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => finish(new Error(`kubectl ${args.join(' ')} exited ${code}:\n${out}`)));
  });
}

describe('one pod network across machines', { skip: skip || undefined, timeout: 900_000 }, () => {
  before(async () => {
    c = await MachineCluster.start({ agents: 2 });
    c.kubectlOk(['create', 'namespace', NS]);
    apply(webDeployment(NS, 'web', 3, {
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
    }));
    apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    // The client runs on the agent that joined last: DNS from a late node is a classic failure (k3s#599).
    apply(podOn(NS, 'client', 'agent-2', { app: 'client' }));
    apply(podOn(NS, 'friend', 'agent-1', { app: 'friend' }));
    const rollout = c.kubectl(['rollout', 'status', 'deployment/web', '-n', NS, '--timeout=180s']);
    assert.equal(rollout.code, 0, `web did not roll out:\n${rollout.stderr}\n${c.kubectl(['get', 'pods,events', '-n', NS, '-o', 'wide']).stdout}`);
    for (const p of ['client', 'friend']) {
      const r = c.kubectl(['wait', '-n', NS, '--for=condition=Ready', `pod/${p}`, '--timeout=180s']);
      assert.equal(r.code, 0, `${p} not ready:\n${r.stderr}\n${c.kubectl(['describe', 'pod', p, '-n', NS]).stdout}`);
    }
  });

  after(async () => {
    await c?.stop();
  });

  it('spreads the Deployment over the three nodes, each with its own podCIDR, pods at MTU 1450', () => {
    const web = pods('app=web');
    assert.deepEqual(web.map((p) => p.node).sort(), ['agent-1', 'agent-2', 'server']);
    const cidrs = c.kubectlOk(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.spec.podCIDR}{" "}{end}']).trim().split(' ').sort();
    assert.deepEqual(cidrs, ['10.42.0.0/24', '10.42.1.0/24', '10.42.2.0/24']);
    const mtu = c.kubectlOk(['exec', '-n', NS, 'client', '--', 'cat', '/sys/class/net/eth0/mtu']).trim();
    assert.equal(mtu, '1450', 'VXLAN takes 50 bytes of the 1500-byte link');
  });

  it('pods on different nodes reach each other by pod IP, without NAT', async () => {
    for (const p of pods('app=web')) {
      const body = await waitFor(`web pod ${p.name} on ${p.node} from the client on agent-2`, () => fetchFrom('client', `http://${p.ip}:8080/`), 60_000);
      assert.equal(body, p.name);
    }
    // The web pods log the peer address: the client's own pod IP, not a node's.
    const clientIP = c.kubectlOk(['get', 'pod', 'client', '-n', NS, '-o', 'jsonpath={.status.podIP}']);
    const onServer = pods('app=web').find((p) => p.node === 'server')!;
    // busybox httpd listens on IPv6 and reports IPv4 peers in mapped form.
    const seen = fetchFrom('client', `http://${onServer.ip}:8080/cgi-bin/peer`).replace(/^\[::ffff:(.*)\]$/, '$1');
    assert.equal(seen, clientIP, 'the server-node pod sees the client pod address');
  });

  it('kubectl logs and exec reach pods on every node', () => {
    for (const p of pods('app=web')) {
      assert.equal(c.kubectlOk(['exec', '-n', NS, p.name, '--', 'hostname']).trim(), p.name, `exec on ${p.node}`);
      assert.equal(c.kubectl(['logs', '-n', NS, p.name]).code, 0, `logs from ${p.node}`);
    }
  });

  it('a ClusterIP Service by DNS name reaches endpoints on every node, from a pod on the last node to join', async () => {
    const names = new Set(pods('app=web').map((p) => p.name));
    const seen = new Set<string>();
    await waitFor('answers from all three web pods through the Service name', () => {
      const body = fetchFrom('client', `http://web.${NS}.svc.cluster.local/`);
      if (names.has(body)) seen.add(body);
      return seen.size === names.size;
    }, 120_000, 100);
    const look = c.kubectl(['exec', '-n', NS, 'client', '--', 'nslookup', `web.${NS}.svc.cluster.local`]);
    assert.equal(look.code, 0, `nslookup from agent-2 failed:\n${look.stdout}${look.stderr}`);
    assert.equal(fetchFrom('client', 'http://web/').length > 0, true, 'short name through the search path');
  });

  it('a NodePort answers on every node\'s address', async () => {
    const port = Number(c.kubectlOk(['get', 'service', 'web', '-n', NS, '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    const names = new Set(pods('app=web').map((p) => p.name));
    for (const m of c.lab.machines) {
      const body = await waitFor(`NodePort ${port} on ${m.name} (${m.ip})`, async () => {
        const b = await httpGet(m.ip, port);
        return names.has(b) && b;
      }, 60_000);
      assert.ok(names.has(body));
    }
  });

  it('a NodePort with externalTrafficPolicy Local answers on each node from that node\'s own pod only', async () => {
    apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-local', namespace: NS }, spec: { type: 'NodePort', externalTrafficPolicy: 'Local', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    const port = Number(c.kubectlOk(['get', 'service', 'web-local', '-n', NS, '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    const byNode = new Map(pods('app=web').map((p) => [p.node, p.name]));
    for (const m of c.lab.machines) {
      const own = byNode.get(m.name)!;
      await waitFor(`Local NodePort ${port} on ${m.name}`, async () => (await httpGet(m.ip, port)) === own, 60_000, 500);
      for (let i = 0; i < 5; i++) assert.equal(await httpGet(m.ip, port), own, `${m.name} answers only from its own pod`);
    }
  });

  it('the Ingress on the server reaches a pod on an agent', async () => {
    apply(podOn(NS, 'backend', 'agent-1', { app: 'backend' }, true));
    apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend', namespace: NS }, spec: { selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] } });
    apply({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'backend', namespace: NS },
      spec: { rules: [{ host: 'backend.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'backend', port: { number: 80 } } } }] } }] },
    });
    const server = c.lab.machines[0];
    const body = await waitFor('the server\'s Ingress answering from the agent-1 pod', async () => {
      const b = await httpGet(server.ip, 80, { Host: 'backend.example' });
      return b === 'backend' && b;
    }, 120_000, 500);
    assert.equal(body, 'backend');
  });

  it('NetworkPolicy holds across nodes: only the allowed pod on another node gets in', async () => {
    const onServer = pods('app=web').find((p) => p.node === 'server')!;
    apply({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-from-friend', namespace: NS },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'friend' } } }] }] },
    });
    try {
      await waitFor('the client on agent-2 refused by the server-node pod', () => fetchFrom('client', `http://${onServer.ip}:8080/`) === '', 60_000, 500);
      assert.equal(fetchFrom('friend', `http://${onServer.ip}:8080/`), onServer.name, 'the friend on agent-1 still gets in');
    } finally {
      c.kubectlOk(['delete', 'networkpolicy', 'web-from-friend', '-n', NS]);
    }
    await waitFor('the client allowed again once the policy is gone', () => fetchFrom('client', `http://${onServer.ip}:8080/`) === onServer.name, 60_000, 500);
  });

  it('kubectl port-forward, cp, attach and top reach pods on every node', async () => {
    for (const node of ['server', 'agent-1', 'agent-2']) {
      apply({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `talk-${node}`, namespace: NS },
        spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done'] }] },
      });
    }
    const dir = mkdtempSync(join(tmpdir(), 'skiff-cp-'));
    try {
      for (const p of pods('app=web')) {
        await streamUntil(['port-forward', '-n', NS, `pod/${p.name}`, ':8080'], /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/, async (m) => {
          // The first connection crosses API server, kubelet and runtime: give a loaded machine a few tries.
          assert.equal(await waitFor(`port-forward to ${p.name} on ${p.node}`, async () => {
            const body = await httpGet('127.0.0.1', Number(m[1]));
            return body === p.name && body;
          }, 45_000, 500), p.name);
        });
        const local = join(dir, `to-${p.name}`);
        writeFileSync(local, `copied to ${p.node}\n`);
        c.kubectlOk(['cp', local, `${NS}/${p.name}:/tmp/copied`]);
        assert.equal(c.kubectlOk(['exec', '-n', NS, p.name, '--', 'cat', '/tmp/copied']), `copied to ${p.node}\n`, `cp into a pod on ${p.node}`);
        c.kubectlOk(['cp', `${NS}/${p.name}:/tmp/copied`, join(dir, `from-${p.name}`)]);
        assert.equal(readFileSync(join(dir, `from-${p.name}`), 'utf8'), `copied to ${p.node}\n`, `cp out of a pod on ${p.node}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const node of ['server', 'agent-1', 'agent-2']) {
      assert.equal(c.kubectl(['wait', '-n', NS, '--for=condition=Ready', `pod/talk-${node}`, '--timeout=120s']).code, 0, `talk-${node} ready`);
      const m = await streamUntil(['attach', '-n', NS, `talk-${node}`], /tick \d+/);
      assert.ok(m[0].startsWith('tick'), `attach to a pod on ${node}`);
    }
    // metrics.k8s.io reads each pod's usage from its own node's kubelet.
    const names = pods('app=web').map((p) => p.name);
    await waitFor('kubectl top pod lists the web pods of every node', () => {
      const r = c.kubectl(['top', 'pod', '-n', NS, '-l', 'app=web', '--no-headers']);
      return r.code === 0 && names.every((n) => new RegExp(`^${n}\\s+\\d+m\\s+\\d+Mi`, 'm').test(r.stdout));
    }, 120_000, 2000);
    c.kubectlOk(['delete', 'pod', '-n', NS, 'talk-server', 'talk-agent-1', 'talk-agent-2', '--wait=false']);
  });

  it('a LoadBalancer Service is published at every Ready node\'s address and answers at each, from outside and from pods on every node', async () => {
    apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-lb', namespace: NS }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: 8088, targetPort: 'http' }] } });
    const all = c.lab.machines.map((m) => m.ip).sort();
    const ingress = () => c.kubectlOk(['get', 'service', 'web-lb', '-n', NS, '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}']).trim().split(' ').filter(Boolean).sort();
    await waitFor('status.loadBalancer names all three nodes (k3s ServiceLB)', () => JSON.stringify(ingress()) === JSON.stringify(all), 60_000, 500);
    const web = pods('app=web');
    const names = new Set(web.map((p) => p.name));
    for (const ip of all) {
      const seen = new Set<string>();
      await waitFor(`answers from the web pods on all three nodes at ${ip}:8088 (from the lab host)`, async () => {
        const body = await httpGet(ip, 8088);
        if (names.has(body)) seen.add(body);
        return seen.size === names.size;
      }, 120_000, 100);
      // From a pod on each node too (kube-proxy short-circuits load-balancer IPs in-cluster).
      for (const p of web) assert.ok(names.has(await waitFor(`${ip}:8088 from ${p.name} on ${p.node}`, () => fetchFrom(p.name, `http://${ip}:8088/`), 60_000)));
    }
  });

  it('a LoadBalancer Service with externalTrafficPolicy Local is published only at the node with a ready endpoint', async () => {
    const onAgent1 = pods('app=web').find((p) => p.node === 'agent-1')!;
    c.kubectlOk(['label', 'pod', '-n', NS, onAgent1.name, 'lb=local']);
    apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-lb-local', namespace: NS }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { app: 'web', lb: 'local' }, ports: [{ name: 'http', port: 8089, targetPort: 'http' }] } });
    const agent1 = c.lab.machines.find((m) => m.name === 'agent-1')!;
    await waitFor('status.loadBalancer names agent-1 only', () => c.kubectlOk(['get', 'service', 'web-lb-local', '-n', NS, '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}']).trim() === agent1.ip, 60_000, 500);
    assert.equal(await waitFor(`answers at ${agent1.ip}:8089`, async () => { const b = await httpGet(agent1.ip, 8089); return b === onAgent1.name && b; }, 60_000, 200), onAgent1.name);
  });
});
