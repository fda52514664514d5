// SPDX-License-Identifier: Apache-2.0
/**
 * `npm run bench`: every benchmark, each printing its figures and ratios
 * against a baseline measured in the same run. Pass names to run a subset:
 * `npm run bench -- apiserver storage`.
 */
import { runAPIServerBench } from './apiserver-bench.js';
import { runStorageBench } from './storage-bench.js';
import { runEtcdBench } from './etcd-bench.js';
import { runFailoverBench } from './failover-bench.js';
import { runCriBench } from './cri-bench.js';
import { runSchedulerBench } from './scheduler-bench.js';
import { runNetworkBench } from './network-bench.js';
import { runIngressBench } from './ingress-bench.js';
import { runTimeToK8sBench } from './time-to-k8s-bench.js';
import { runRolloutBench } from './rollout-bench.js';
import { runKubeletBench } from './kubelet-bench.js';
import { runMultinodeBench } from './multinode-bench.js';
import { runCrashBench } from './crash-bench.js';
import { runSoakBench } from './soak-bench.js';
import { runDashboardBench } from './dashboard-bench.js';
import { runMemoryBench } from './memory-bench.js';

const suites: Record<string, () => Promise<Record<string, number>>> = {
  apiserver: runAPIServerBench,
  storage: runStorageBench,
  etcd: runEtcdBench,
  failover: runFailoverBench,
  cri: async () => flatten(await runCriBench({ n: 20 })),
  scheduler: async () => flatten(await runSchedulerBench()),
  kubelet: async () => flatten(await runKubeletBench()),
  network: async () => flatten(await runNetworkBench()),
  ingress: async () => flatten(await runIngressBench({ seconds: 3, concurrency: 16 })),
  'time-to-k8s': runTimeToK8sBench,
  rollout: runRolloutBench,
  multinode: runMultinodeBench,
  crash: runCrashBench,
  dashboard: runDashboardBench,
  memory: runMemoryBench,
  // 30 minutes unless `--soak-minutes N`.
  soak: runSoakBench,
};

/** flatten turns nested figure objects into `a.b` keys. */
function flatten(o: object, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number') out[prefix + k] = v;
    else if (v && typeof v === 'object') Object.assign(out, flatten(v as object, `${prefix}${k}.`));
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const wanted = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  for (const [name, run] of Object.entries(suites)) {
    if (wanted.length && !wanted.includes(name)) continue;
    console.log(`\n== ${name}`);
    const figures = await run();
    for (const [k, v] of Object.entries(figures)) console.log(`${name}.${k.padEnd(40)} ${Number.isInteger(v) ? v : v.toFixed(2)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
