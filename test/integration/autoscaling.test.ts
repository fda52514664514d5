// SPDX-License-Identifier: Apache-2.0
/**
 * The HPA and PodDisruptionBudgets against a real `skiff server
 * --simulated-nodes 2` with the real kubectl: pods annotated with a
 * simulated CPU usage make `kubectl autoscale` scale the Deployment up; an
 * HPA without a target reports AbleToScale=False; a budget that allows no
 * disruption makes evictions fail with 429.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { waitFor } from '../harness/wait-for.js';

let s: ServerHandle;

const eventually = <T>(what: string, fn: () => T | undefined | false, timeoutMs = 30000): Promise<T> => waitFor(what, fn, timeoutMs, 250);

function json<T>(args: string[]): T {
  return JSON.parse(s.kubectlOk([...args, '-o', 'json'])) as T;
}

const deployment = (ns: string, name: string, replicas: number, cpu: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata:
      labels: { app: ${name} }
      annotations: { skiff.dev/simulated-cpu: "${cpu}" }
    spec:
      containers:
      - name: app
        image: nginx:1.25
        resources: { requests: { cpu: 100m } }
`;

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

describe('autoscaling and disruption budgets', () => {
  before(async () => {
    s = await startServer({ args: ['--simulated-nodes', '2'] });
  });
  after(async () => {
    await s?.stop();
  });

  it('kubectl autoscale scales a busy deployment up', async () => {
    s.kubectlOk(['create', 'namespace', 'hpa']);
    s.kubectlOk(['apply', '-f', '-'], { input: deployment('hpa', 'web', 1, '250m') });
    await eventually('a running pod', () => json<{ items: { status: { phase: string } }[] }>(['get', 'pods', '-n', 'hpa']).items.some((p) => p.status.phase === 'Running'));
    s.kubectlOk(['autoscale', 'deployment', 'web', '-n', 'hpa', '--min=1', '--max=5', '--cpu-percent=50']);
    // 250m used of 100m requested is 250% against 50%: 1 pod becomes ceil(5) capped by max(2x1, 4) = 4.
    // The HPA syncs every 15 s (upstream's default period); the first sync can come before the pod's
    // metrics, so the scale-up may be two periods away, and more on a loaded machine.
    const replicas = await eventually('the deployment scaled up', () => {
      const n = json<{ spec: { replicas: number } }>(['get', 'deployment', 'web', '-n', 'hpa']).spec.replicas;
      return n > 1 ? n : false;
    }, 120_000);
    assert.ok(replicas > 1 && replicas <= 5, `replicas ${replicas}`);
    const hpa = json<{ status: { desiredReplicas: number; currentMetrics?: unknown[]; conditions: Condition[] } }>(['get', 'hpa', 'web', '-n', 'hpa']);
    const active = hpa.status.conditions.find((c) => c.type === 'ScalingActive');
    assert.equal(active?.status, 'True');
    assert.equal(active?.reason, 'ValidMetricFound');
    const events = s.kubectlOk(['get', 'events', '-n', 'hpa', '--field-selector', 'reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /New size: \d; reason: cpu resource utilization \(percentage of request\) above target/);
    const table = s.kubectlOk(['get', 'hpa', 'web', '-n', 'hpa']);
    assert.match(table, /cpu: \d+%\/50%/);
  });

  it('an HPA whose target does not exist is not able to scale', async () => {
    s.kubectlOk(['create', 'namespace', 'hpa-missing']);
    s.kubectlOk(['apply', '-f', '-'], {
      input: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: ghost, namespace: hpa-missing }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ghost }
  minReplicas: 1
  maxReplicas: 3
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } }]
`,
    });
    const cond = await eventually('AbleToScale=False', () => {
      const c = json<{ status?: { conditions?: Condition[] } }>(['get', 'hpa', 'ghost', '-n', 'hpa-missing']).status?.conditions?.find((x) => x.type === 'AbleToScale');
      return c?.status === 'False' ? c : false;
    });
    assert.equal(cond.reason, 'FailedGetScale');
    assert.match(cond.message, /^the HPA controller was unable to get the target's current scale: .*not found/);
  });

  it('a budget with minAvailable 2 over 2 ready pods refuses evictions with 429', async () => {
    s.kubectlOk(['create', 'namespace', 'pdb']);
    s.kubectlOk(['apply', '-f', '-'], { input: deployment('pdb', 'db', 2, '10m') });
    s.kubectlOk(['create', 'poddisruptionbudget', 'db', '-n', 'pdb', '--selector=app=db', '--min-available=2']);
    const pods = await eventually('two ready pods counted by the budget', () => {
      const pdb = json<{ status?: { currentHealthy?: number; desiredHealthy?: number; disruptionsAllowed?: number; conditions?: Condition[] } }>(['get', 'pdb', 'db', '-n', 'pdb']);
      if (pdb.status?.currentHealthy !== 2) return false;
      assert.equal(pdb.status.desiredHealthy, 2);
      assert.equal(pdb.status.disruptionsAllowed, 0);
      assert.equal(pdb.status.conditions?.find((c) => c.type === 'DisruptionAllowed')?.reason, 'InsufficientPods');
      return json<{ items: { metadata: { name: string }; spec: { nodeName: string } }[] }>(['get', 'pods', '-n', 'pdb']).items;
    });
    const res = await s.request('POST', `/api/v1/namespaces/pdb/pods/${pods[0].metadata.name}/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: pods[0].metadata.name, namespace: 'pdb' },
    });
    assert.equal(res.status, 429, res.body);
    assert.match(res.body, /Cannot evict pod as it would violate the pod's disruption budget/);
    // kubectl drain itself is not run here: eviction.ts answers with Retry-After: 10, which client-go
    // retries on its own for ~100 s before drain sees the 429 (upstream sends retryAfterSeconds 0).
    assert.equal(json<{ items: unknown[] }>(['get', 'pods', '-n', 'pdb']).items.length, 2, 'no pod was evicted');
  });
});
