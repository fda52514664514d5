// SPDX-License-Identifier: Apache-2.0
/**
 * Raw CRI pod start latency: RunPodSandbox + CreateContainer + StartContainer
 * straight against a private containerd, no kubelet in between. It is the
 * baseline later kubelet benchmarks divide by (pod start through Skiff vs
 * raw CRI). Needs root, containerd, runc, CNI plugins and busybox-static.
 *
 * Run: node dist/bench/cri-bench.js [N]
 */
import { pathToFileURL } from 'node:url';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startContainerdHarness } from '../test/e2e/harness/containerd-harness.js';
import type { CriClient } from '../src/kubelet/cri/cri-client.js';
import type { PodSandboxConfig } from '../src/kubelet/cri/cri-types.js';

/** LatencySummary summarises one measured step in milliseconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** CriBenchResult is the outcome of runCriBench. */
export interface CriBenchResult {
  n: number;
  /** podStart is sandbox + create + start, the number later benchmarks compare against. */
  podStart: LatencySummary;
  runPodSandbox: LatencySummary;
  createContainer: LatencySummary;
  startContainer: LatencySummary;
  /** teardown is StopContainer(0) + RemoveContainer + StopPodSandbox + RemovePodSandbox. */
  teardown: LatencySummary;
}

/** summarize returns nearest-rank percentiles of samples (ms). */
export function summarize(samples: number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    p50: round(rank(50)), p90: round(rank(90)), p99: round(rank(99)), min: round(s[0]), max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

interface PodTimings {
  sandbox: number;
  create: number;
  start: number;
  teardown: number;
}

async function oneCycle(client: CriClient, sandbox: PodSandboxConfig, image: string): Promise<PodTimings> {
  mkdirSync(join(sandbox.log_directory!, 'c'), { recursive: true });
  let t = process.hrtime.bigint();
  const { pod_sandbox_id } = await client.runPodSandbox({ config: sandbox });
  const sandboxMs = ms(t);
  t = process.hrtime.bigint();
  const { container_id } = await client.createContainer({
    pod_sandbox_id, sandbox_config: sandbox,
    config: { metadata: { name: 'c' }, image: { image }, command: ['sleep', '3600'], log_path: 'c/0.log' },
  });
  const createMs = ms(t);
  t = process.hrtime.bigint();
  await client.startContainer({ container_id });
  const startMs = ms(t);
  t = process.hrtime.bigint();
  await client.stopContainer({ container_id, timeout: 0 });
  await client.removeContainer({ container_id });
  await client.stopPodSandbox({ pod_sandbox_id });
  await client.removePodSandbox({ pod_sandbox_id });
  return { sandbox: sandboxMs, create: createMs, start: startMs, teardown: ms(t) };
}

/** runCriBench starts N pods one after another (after one warm-up) and reports latencies. */
export async function runCriBench(options: { n?: number } = {}): Promise<CriBenchResult> {
  const n = options.n ?? 20;
  const h = await startContainerdHarness();
  try {
    await oneCycle(h.client, h.sandboxConfig('warmup'), h.images.busybox);
    const runs: PodTimings[] = [];
    for (let i = 0; i < n; i++) runs.push(await oneCycle(h.client, h.sandboxConfig(`bench-${i}`), h.images.busybox));
    return {
      n,
      podStart: summarize(runs.map((r) => r.sandbox + r.create + r.start)),
      runPodSandbox: summarize(runs.map((r) => r.sandbox)),
      createContainer: summarize(runs.map((r) => r.create)),
      startContainer: summarize(runs.map((r) => r.start)),
      teardown: summarize(runs.map((r) => r.teardown)),
    };
  } finally {
    await h.cleanup();
    const left = h.leftovers();
    if (left.length) console.error(`cri-bench: cleanup left ${left.join(', ')}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runCriBench({ n: Number(process.argv[2] ?? 20) });
  console.log(JSON.stringify(result, null, 2));
}
