// SPDX-License-Identifier: Apache-2.0
/**
 * The etcd backend beside the embedded SQLite one, in the same run: p50 and
 * p99 of sequential create, get and list (500 objects of 1 KiB), throughput
 * of 32 concurrent creators, and watch delivery latency (a write's
 * acknowledgement to its event), on a 1-member and a 3-member etcd started
 * for the run (Debian's etcd on loopback, fsync as configured by default).
 * Ratios are etcd / sqlite. Run: `npm run bench -- etcd` (about 1 minute).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EtcdStore, SqliteStore, type Store } from '../src/storage/index.js';
import { startEtcdCluster } from '../test/harness/etcd-cluster.js';

const objects = 500;
const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { k: 'v'.repeat(900) } });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latencies(n: number, op: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

async function measure(store: Store, tag: string): Promise<Record<string, number>> {
  const prefix = `/registry/configmaps/${tag}/`;
  const create = await latencies(objects, (i) => store.create(`${prefix}c${String(i).padStart(4, '0')}`, body));
  const get = await latencies(objects, (i) => store.get(`${prefix}c${String(i).padStart(4, '0')}`));
  const list = await latencies(20, () => store.list({ prefix }));
  const concurrent = 1000;
  const t = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < concurrent) await store.create(`/registry/configmaps/${tag}-par/c${next++}`, body);
  }));
  const createsPerSec = concurrent / ((performance.now() - t) / 1000);
  const ac = new AbortController();
  const it = store.watch({ prefix: `/registry/configmaps/${tag}-watch/`, afterRevision: await store.currentRevision(), signal: ac.signal })[Symbol.asyncIterator]();
  const first = it.next();
  await store.create(`/registry/configmaps/${tag}-watch/warm`, body);
  await first;
  const watch = await latencies(100, async (i) => {
    const pending = it.next();
    await store.create(`/registry/configmaps/${tag}-watch/w${i}`, body);
    const acked = performance.now();
    await pending;
    return performance.now() - acked;
  });
  ac.abort();
  return {
    createP50Ms: create.p50, createP99Ms: create.p99, getP50Ms: get.p50, getP99Ms: get.p99,
    list500P50Ms: list.p50, list500P99Ms: list.p99, createsPerSec32: createsPerSec,
    // From the write's acknowledgement to its event reaching the watcher.
    watchAckToEventP50Ms: watch.p50, watchAckToEventP99Ms: watch.p99,
  };
}

export async function runEtcdBench(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-etcd-bench-'));
  const out: Record<string, number> = {};
  try {
    const sqlite = SqliteStore.open({ path: join(dir, 'state.db'), compactIntervalMs: 0 });
    const base = await measure(sqlite, 'sqlite');
    await sqlite.close();
    for (const [k, v] of Object.entries(base)) out[`sqlite.${k}`] = v;
    for (const size of [1, 3]) {
      const etcd = await startEtcdCluster({ size });
      const store = EtcdStore.open({ endpoints: etcd.members.map((m) => m.clientURL), compactIntervalMs: 0 });
      try {
        const figures = await measure(store, `etcd${size}`);
        for (const [k, v] of Object.entries(figures)) {
          out[`etcd${size}.${k}`] = v;
          out[`etcd${size}.${k}.ratio`] = v / (base[k] || Number.EPSILON);
        }
      } finally {
        await store.close();
        await etcd.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runEtcdBench().then((figures) => {
    for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(44)} ${v.toFixed(2)}`);
  });
}
