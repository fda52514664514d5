// SPDX-License-Identifier: Apache-2.0
/**
 * Multi-node benchmark (needs root): a server and agents on lab machines
 * (test/e2e/machines). Figures, all from the same run:
 * - pod-to-pod HTTP requests/s and p99 from a client pod on the server's
 *   node to a pod on another node (over VXLAN, or the backend given by
 *   `--flannel-backend`) against a pod on its own
 *   node, in many short interleaved slices (interleaved-load.ts); the
 *   median ratio of adjacent slices is the figure (goal ≥ 0.9), with the
 *   load average beside it;
 * - join time: from `skiff agent --server --token` starting to the Node
 *   Ready (and busybox imported);
 * - with short timers (--node-monitor-grace-period 10s, 8 s leases, pods
 *   tolerating unreachable for 5 s) and again on a fresh cluster with
 *   upstream's defaults (40 s grace, 300 s tolerations, so about 40 s and
 *   340 s by design): from an agent's SIGKILL to its pod's endpoint being
 *   withdrawn, and to its Deployment's pods Running elsewhere.
 */
import { loadavg } from 'node:os';
import { MachineCluster } from '../test/e2e/machines/cluster.js';
import { podOn, webDeployment } from '../test/e2e/machines/workloads.js';
import { abLoad } from './interleaved-load.js';
import { decompose, podToPodTargets } from './multinode-decompose.js';

// busybox httpd's accept backlog is small: 16 concurrent new connections overflow it on either path, and the
// resulting 1 s SYN retransmits would make p99 measure the backlog, not the network. 4 stays below it.
const LOAD = { sliceSeconds: 1, slices: 30, concurrency: 4, warmupSeconds: 1 };

/** `--pod-to-pod-only` (after the suite name: `node dist/bench/index.js multinode --pod-to-pod-only`) stops after the pod-to-pod figures. */
const podToPodOnly = process.argv.includes('--pod-to-pod-only');

/** `--decompose` then says how much of the cross-node gap is the tunnel and how much the lab's switch (multinode-decompose.ts, ~3 min more). */
const decomposeGap = process.argv.includes('--decompose');

/** `--flannel-backend host-gw` runs the first cluster with that backend instead of the default VXLAN (to tell encapsulation from the rest). */
function backendArgs(): string[] {
  const i = process.argv.indexOf('--flannel-backend');
  return i > 0 && process.argv[i + 1] ? ['--flannel-backend', process.argv[i + 1]] : [];
}

function readyEndpointIPs(c: MachineCluster, ns: string, service: string): string[] {
  type S = { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] };
  return c.json<{ items: S[] }>(['endpointslices', '-n', ns, '-l', `kubernetes.io/service-name=${service}`]).items
    .flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses));
}

/** mover is two replicas preferring agent-1 (with the given tolerations): they move when it dies. */
function mover(tolerations: unknown[]): unknown {
  return webDeployment('bench', 'mover', 2, {
    tolerations, topologySpreadConstraints: [],
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['agent-1'] }] } }] } },
  });
}

/** failureTimes SIGKILLs agent-1 and measures until its `cross` endpoint is withdrawn and the movers run elsewhere. */
async function failureTimes(c: MachineCluster, ns: string, limitMs = 300_000): Promise<{ withdrawMs: number; rescheduledMs: number }> {
  const crossPodIP = c.kubectlOk(['get', 'pod', 'cross', '-n', ns, '-o', 'jsonpath={.status.podIP}']);
  await c.agents[0].kill();
  const t1 = Date.now();
  while (readyEndpointIPs(c, ns, 'cross').includes(crossPodIP)) {
    if (Date.now() - t1 > limitMs) throw new Error('the dead node\'s endpoint was never withdrawn');
    await new Promise((res) => setTimeout(res, 200));
  }
  const withdrawMs = Date.now() - t1;
  type P = { metadata: { deletionTimestamp?: string }; spec: { nodeName?: string }; status: { phase?: string } };
  const moved = () => c.json<{ items: P[] }>(['pods', '-n', ns, '-l', 'app=mover']).items
    .filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running' && p.spec.nodeName !== 'agent-1').length === 2;
  while (!moved()) {
    if (Date.now() - t1 > limitMs) throw new Error('the dead node\'s Deployment pods never ran elsewhere');
    await new Promise((res) => setTimeout(res, 500));
  }
  return { withdrawMs, rescheduledMs: Date.now() - t1 };
}

/**
 * podToPod runs the interleaved load from the client pod (on the server's node) against the pod on its own
 * node (A) and the pod on agent-1 (B): same client, server image, concurrency and slices on both paths.
 */
function podToPod(c: MachineCluster, ns: string): Record<string, number> {
  const { netns, same, cross } = podToPodTargets(c, ns);
  const probe = { sliceSeconds: 0.5, slices: 2, concurrency: 1, warmupSeconds: 0 };
  for (let i = 0; abLoad(netns, same, cross, probe).b.rps === 0; i++) if (i > 20) throw new Error('the cross-node pod never answered');
  const load1m = loadavg()[0];
  const r = abLoad(netns, same, cross, LOAD);
  const load1mAfter = loadavg()[0];
  return {
    'pod_to_pod.same_node.rps': r.a.rps,
    'pod_to_pod.cross_node.rps': r.b.rps,
    'pod_to_pod.same_node.p50_ms': r.a.p50,
    'pod_to_pod.cross_node.p50_ms': r.b.p50,
    'pod_to_pod.same_node.p99_ms': r.a.p99,
    'pod_to_pod.cross_node.p99_ms': r.b.p99,
    'pod_to_pod.cross_vs_same.rps_ratio': r.rpsRatio,
    'pod_to_pod.cross_vs_same.p99_ratio': r.p99Ratio,
    // Machine-wide CPU per request on each path; same ÷ cross bounds the rps ratio while both "machines" share the cores.
    'pod_to_pod.same_node.cpu_us_per_req': r.a.cpuUs,
    'pod_to_pod.cross_node.cpu_us_per_req': r.b.cpuUs,
    'pod_to_pod.cross_vs_same.rps_bound_from_cpu': r.cpuRatio,
    'pod_to_pod.slices': r.slices,
    'pod_to_pod.load_average_1m_before': load1m,
    'pod_to_pod.load_average_1m_after': load1mAfter,
  };
}

/** runMultinodeBench returns requests/s, p99 (ms), their cross/same-node ratios, join time and withdrawal time (ms). */
export async function runMultinodeBench(): Promise<Record<string, number>> {
  if (process.getuid?.() !== 0) throw new Error('multinode bench needs root (network namespaces, containerd)');
  const c = await MachineCluster.start({ agents: 1, serverArgs: ['--node-monitor-grace-period', '10s', '--disable-ingress', ...backendArgs()], agentArgs: ['--node-lease-duration-seconds', '8'] });
  let stopped = false;
  try {
    const ns = 'bench';
    c.kubectlOk(['create', 'namespace', ns]);
    const docs = [podOn(ns, 'same', 'server', { app: 'same' }, true), podOn(ns, 'cross', 'agent-1', { app: 'cross' }, true), podOn(ns, 'client', 'server', { app: 'client' })];
    c.kubectlOk(['apply', '-f', '-'], docs.map((d) => JSON.stringify(d)).join('\n'));
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'cross', namespace: ns }, spec: { selector: { app: 'cross' }, ports: [{ port: 80, targetPort: 8080 }] } }));
    c.kubectlOk(['wait', '-n', ns, '--for=condition=Ready', 'pod/same', 'pod/cross', 'pod/client', '--timeout=180s']);
    const p2p = { ...podToPod(c, ns), ...(decomposeGap ? decompose(c, podToPodTargets(c, ns)) : {}) };
    if (podToPodOnly) return p2p;
    // Two replicas preferring agent-1, tolerating its loss for 5 s: they move when it dies.
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify(mover([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }])));
    c.kubectlOk(['rollout', 'status', 'deployment/mover', '-n', ns, '--timeout=180s']);

    const t0 = Date.now();
    await c.addAgent('agent-2');
    const joinMs = Date.now() - t0;

    const short = await failureTimes(c, ns);
    await c.stop();
    stopped = true;
    // The same failure with upstream's timers (40 s grace, 40 s leases, 300 s default tolerations): a fresh cluster.
    const d = await MachineCluster.start({ agents: 1, serverArgs: ['--disable-ingress'] });
    let defaults: { withdrawMs: number; rescheduledMs: number };
    try {
      d.kubectlOk(['create', 'namespace', ns]);
      d.kubectlOk(['apply', '-f', '-'], JSON.stringify(podOn(ns, 'cross', 'agent-1', { app: 'cross' }, true)));
      d.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'cross', namespace: ns }, spec: { selector: { app: 'cross' }, ports: [{ port: 80, targetPort: 8080 }] } }));
      d.kubectlOk(['apply', '-f', '-'], JSON.stringify(mover([])));
      d.kubectlOk(['wait', '-n', ns, '--for=condition=Ready', 'pod/cross', '--timeout=180s']);
      d.kubectlOk(['rollout', 'status', 'deployment/mover', '-n', ns, '--timeout=180s']);
      defaults = await failureTimes(d, ns, 600_000);
    } finally {
      await d.stop();
    }
    return {
      ...p2p,
      'join.token_to_ready_ms': joinMs,
      'failure.short_timers.kill_to_endpoint_withdrawn_ms': short.withdrawMs,
      'failure.short_timers.kill_to_pods_running_elsewhere_ms': short.rescheduledMs,
      'failure.default_timers.kill_to_endpoint_withdrawn_ms': defaults.withdrawMs,
      'failure.default_timers.kill_to_pods_running_elsewhere_ms': defaults.rescheduledMs,
    };
  } finally {
    if (!stopped) await c.stop();
  }
}
