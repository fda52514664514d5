// SPDX-License-Identifier: Apache-2.0
/**
 * Idle memory of a server, the figures of issue 17's memory goal, beside a
 * bare node process measured in the same run:
 * - control plane alone (`skiff server --disable-agent`, a fresh data dir):
 *   RSS 2 s and 10 s after the ready line, median of three starts;
 * - the same after a kubectl session (apply, get, explain: the OpenAPI
 *   documents are fetched and cached), 10 s later;
 * - server with its node agent (real containerd; needs root, skipped
 *   otherwise): RSS 10 s after its Node is Ready.
 * RSS is VmRSS from /proc, which counts the node binary's pages the process
 * touched; the bare node process shows that floor.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startServer, type ServerHandle } from '../test/harness/server-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function bareNodeRSS(): Promise<number> {
  const bare = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  await sleep(500);
  const rss = rssMB(bare.pid!);
  bare.kill();
  return rss;
}

async function withServer<T>(opts: Parameters<typeof startServer>[0], fn: (s: ServerHandle) => Promise<T>): Promise<T> {
  const s = await startServer(opts);
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

function agentAvailable(): boolean {
  return process.getuid?.() === 0 && ['/usr/bin/containerd', '/usr/sbin/runc', '/usr/bin/kubectl'].every((p) => existsSync(p));
}

export async function runMemoryBench(): Promise<Record<string, number>> {
  const out: Record<string, number> = { load_avg_1m: loadavg()[0] };
  out['baseline.bare_node_rss_mb'] = await bareNodeRSS();
  const at2: number[] = [];
  const at10: number[] = [];
  for (let i = 0; i < 3; i++) {
    await withServer({}, async (s) => {
      await sleep(2000);
      at2.push(rssMB(s.process.pid!));
      await sleep(8000);
      at10.push(rssMB(s.process.pid!));
    });
  }
  out['control_plane.idle_2s_rss_mb'] = median(at2);
  out['control_plane.idle_10s_rss_mb'] = median(at10);
  out['control_plane.idle_10s_vs_bare_node'] = median(at10) / out['baseline.bare_node_rss_mb'];
  await withServer({}, async (s) => {
    s.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: memory-bench\ndata:\n  a: b\n' });
    s.kubectlOk(['get', 'pods', '-A']);
    s.kubectlOk(['explain', 'deployment.spec']);
    await sleep(10_000);
    out['control_plane.after_kubectl_10s_rss_mb'] = rssMB(s.process.pid!);
  });
  if (agentAvailable()) {
    await withServer({ agent: true }, async (s) => {
      for (let i = 0; i < 240; i++) {
        const ready = s.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}']).stdout;
        if (ready === 'True') break;
        await sleep(500);
      }
      await sleep(10_000);
      out['with_agent.idle_10s_rss_mb'] = rssMB(s.process.pid!);
    });
  }
  out['load_avg_1m_end'] = loadavg()[0];
  return out;
}
