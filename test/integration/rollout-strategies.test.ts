// SPDX-License-Identifier: Apache-2.0
/**
 * Rollout strategies observed as a user would: ReplicaSet sizes watched
 * through the API while `kubectl set image` rolls a Deployment on simulated
 * nodes. maxSurge=1/maxUnavailable=0 replaces pods one at a time;
 * maxSurge=100% brings the whole new set up before the old one shrinks;
 * Recreate empties the old set before the new one starts; a server killed
 * mid-rollout finishes it after restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { HttpClient, loadKubeconfig } from '../../src/client/http-client.js';
import { R } from '../../src/client/client.js';
import type { KubeObject } from '../../src/api/object.js';

let s: ServerHandle;

interface RSObj extends KubeObject {
  spec: { replicas: number };
  status?: { readyReplicas?: number };
}

const deployment = (name: string, strategy: object, replicas = 3) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    strategy,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      // A readiness probe with a delay makes each step wait on readiness, as with real pods.
      spec: { containers: [{ name: 'web', image: 'nginx:1.25', readinessProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds: 1, periodSeconds: 1 } }] },
    },
  },
});

/**
 * recordSizes watches the namespace's ReplicaSets and records, at every change,
 * the desired sizes of the old and new sets (by image) — the sequence a rollout goes through.
 */
function recordSizes(ns: string, newImage: string): { samples: { old: number; new: number }[]; stop(): void } {
  const client = new HttpClient(loadKubeconfig(s.kubeconfig));
  const ac = new AbortController();
  const sets = new Map<string, RSObj>();
  const samples: { old: number; new: number }[] = [];
  void (async () => {
    try {
      for await (const ev of client.watch<RSObj>(R.replicasets, { namespace: ns, signal: ac.signal })) {
        if (ev.type === 'DELETED') sets.delete(ev.object.metadata.name!);
        else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') sets.set(ev.object.metadata.name!, ev.object);
        let old = 0;
        let fresh = 0;
        for (const rs of sets.values()) {
          const image = (rs.spec as unknown as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image;
          if (image === newImage) fresh += rs.spec.replicas;
          else old += rs.spec.replicas;
        }
        const last = samples[samples.length - 1];
        if (!last || last.old !== old || last.new !== fresh) samples.push({ old, new: fresh });
      }
    } catch {
      // aborted
    }
  })();
  return {
    samples,
    stop() {
      ac.abort();
      client.close();
    },
  };
}

async function rollAndWatch(ns: string, name: string): Promise<{ old: number; new: number }[]> {
  const rec = recordSizes(ns, 'nginx:1.26');
  await new Promise((r) => setTimeout(r, 300));
  s.kubectlOk(['set', 'image', `deployment/${name}`, 'web=nginx:1.26', '-n', ns]);
  s.kubectlOk(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=90s'], {});
  await new Promise((r) => setTimeout(r, 300));
  rec.stop();
  return rec.samples;
}

function apply(ns: string, obj: object): void {
  s.kubectlOk(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(obj) });
}

describe('rollout strategies on simulated nodes', () => {
  before(async () => {
    s = await startServer({ args: ['--simulated-nodes', '2'] });
  });
  after(async () => {
    await s?.stop();
  });

  it('maxSurge=1, maxUnavailable=0 replaces pods one at a time', async () => {
    s.kubectlOk(['create', 'namespace', 'one-by-one']);
    apply('one-by-one', deployment('web', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }));
    s.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'one-by-one', '--timeout=60s']);
    const samples = await rollAndWatch('one-by-one', 'web');
    assert.deepEqual(samples[samples.length - 1], { old: 0, new: 3 }, JSON.stringify(samples));
    for (const x of samples) {
      assert.ok(x.old + x.new <= 4, `never more than replicas + maxSurge: ${JSON.stringify(samples)}`);
      assert.ok(x.old + x.new >= 3, `never fewer than replicas (maxUnavailable 0): ${JSON.stringify(samples)}`);
    }
    // The new set grows one pod per step: 1, 2, 3.
    const newSizes = [...new Set(samples.map((x) => x.new))];
    assert.deepEqual(newSizes, [0, 1, 2, 3], JSON.stringify(samples));
  });

  it('maxSurge=100%, maxUnavailable=0 brings the whole new set up before the old one goes (blue-green)', async () => {
    s.kubectlOk(['create', 'namespace', 'blue-green']);
    apply('blue-green', deployment('web', { type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: 0 } }));
    s.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'blue-green', '--timeout=60s']);
    const samples = await rollAndWatch('blue-green', 'web');
    const firstShrink = samples.findIndex((x, i) => i > 0 && x.old < samples[i - 1].old);
    assert.ok(firstShrink > 0, JSON.stringify(samples));
    assert.equal(samples[firstShrink - 1].new, 3, `the new set is full before the old one shrinks: ${JSON.stringify(samples)}`);
    assert.deepEqual(samples[samples.length - 1], { old: 0, new: 3 });
  });

  it('Recreate scales the old set to zero before the new one starts', async () => {
    s.kubectlOk(['create', 'namespace', 'recreate']);
    apply('recreate', deployment('web', { type: 'Recreate' }));
    s.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'recreate', '--timeout=60s']);
    const samples = await rollAndWatch('recreate', 'web');
    for (const x of samples) assert.ok(x.old === 0 || x.new === 0, `old and new never run together: ${JSON.stringify(samples)}`);
    assert.deepEqual(samples[samples.length - 1], { old: 0, new: 3 });
    s.kubectlOk(['rollout', 'undo', 'deployment/web', '-n', 'recreate']);
    s.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'recreate', '--timeout=60s']);
    assert.equal(s.kubectlOk(['get', 'deploy', 'web', '-n', 'recreate', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.25');
  });
});

describe('rollout commands and deadlines', () => {
  let srv: ServerHandle;
  before(async () => {
    srv = await startServer({ args: ['--simulated-nodes', '2'] });
  });
  after(async () => {
    await srv?.stop();
  });

  it('pauses and resumes, and undoes to a chosen revision', async () => {
    srv.kubectlOk(['create', 'namespace', 'cmds']);
    const d = deployment('web', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, 2);
    srv.kubectlOk(['apply', '-n', 'cmds', '-f', '-'], { input: JSON.stringify(d) });
    srv.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'cmds', '--timeout=60s']);
    for (const tag of ['1.26', '1.27']) {
      srv.kubectlOk(['set', 'image', 'deployment/web', `web=nginx:${tag}`, '-n', 'cmds']);
      srv.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'cmds', '--timeout=60s']);
    }
    assert.match(srv.kubectlOk(['rollout', 'history', 'deployment/web', '-n', 'cmds']), /^1\s.*\n2\s.*\n3\s/m);
    srv.kubectlOk(['rollout', 'pause', 'deployment/web', '-n', 'cmds']);
    srv.kubectlOk(['set', 'image', 'deployment/web', 'web=nginx:1.28', '-n', 'cmds']);
    await new Promise((r) => setTimeout(r, 1500));
    const images = () => srv.kubectlOk(['get', 'rs', '-n', 'cmds', '-o', 'jsonpath={range .items[?(@.spec.replicas>0)]}{.spec.template.spec.containers[0].image}{"\\n"}{end}']).trim();
    assert.equal(images(), 'nginx:1.27', 'a paused Deployment does not roll');
    srv.kubectlOk(['rollout', 'resume', 'deployment/web', '-n', 'cmds']);
    srv.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'cmds', '--timeout=60s']);
    assert.equal(images(), 'nginx:1.28');
    srv.kubectlOk(['rollout', 'undo', 'deployment/web', '-n', 'cmds', '--to-revision=1']);
    srv.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'cmds', '--timeout=60s']);
    assert.equal(srv.kubectlOk(['get', 'deploy', 'web', '-n', 'cmds', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.25');
  });

  it('reports ProgressDeadlineExceeded when new pods never become ready', async () => {
    srv.kubectlOk(['create', 'namespace', 'deadline']);
    const d = deployment('stuck', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, 1) as ReturnType<typeof deployment> & { spec: { progressDeadlineSeconds?: number } };
    d.spec.progressDeadlineSeconds = 3;
    (d.spec.template.spec.containers[0].readinessProbe as { initialDelaySeconds: number }).initialDelaySeconds = 3600;
    srv.kubectlOk(['apply', '-n', 'deadline', '-f', '-'], { input: JSON.stringify(d) });
    const status = srv.kubectl(['rollout', 'status', 'deployment/stuck', '-n', 'deadline', '--timeout=30s']);
    assert.notEqual(status.code, 0);
    assert.match(status.stderr, /exceeded its progress deadline/);
    const cond = JSON.parse(srv.kubectlOk(['get', 'deploy', 'stuck', '-n', 'deadline', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")]}']));
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'ProgressDeadlineExceeded');
  });
});

describe('a rollout survives a server restart', () => {
  it('resumes where it stood after kill -9', async () => {
    let srv = await startServer({ args: ['--simulated-nodes', '2'], keepDataDir: true });
    const dataDir = srv.dataDir;
    try {
      srv.kubectlOk(['create', 'namespace', 'resume']);
      const d = deployment('web', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, 4);
      (d.spec.template.spec.containers[0].readinessProbe as { initialDelaySeconds: number }).initialDelaySeconds = 2;
      srv.kubectlOk(['apply', '-n', 'resume', '-f', '-'], { input: JSON.stringify(d) });
      srv.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'resume', '--timeout=60s']);
      srv.kubectlOk(['set', 'image', 'deployment/web', 'web=nginx:1.26', '-n', 'resume']);
      // Let the rollout start, then kill the whole control plane mid-way.
      await new Promise((r) => setTimeout(r, 2500));
      await srv.kill();
      // The second server owns the data dir from here on: its stop removes it.
      srv = await startServer({ args: ['--simulated-nodes', '2'], dataDir });
      srv.kubectlOk(['rollout', 'status', 'deployment/web', '-n', 'resume', '--timeout=90s']);
      const rs = JSON.parse(srv.kubectlOk(['get', 'rs', '-n', 'resume', '-o', 'json'])) as { items: RSObj[] };
      const sizes = rs.items.map((x) => ({ image: (x.spec as unknown as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image, replicas: x.spec.replicas }));
      assert.deepEqual(sizes.sort((a, b) => a.image.localeCompare(b.image)), [{ image: 'nginx:1.25', replicas: 0 }, { image: 'nginx:1.26', replicas: 4 }]);
    } finally {
      await srv.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
