// SPDX-License-Identifier: Apache-2.0
/**
 * Soak: a `skiff server --simulated-nodes 2` under steady churn (about 20
 * operations per second: Deployments scaled, bare pods created and deleted,
 * ConfigMaps updated, watchers joining and leaving) for 30 minutes, or
 * `--soak-minutes N`. Every 10 s it samples RSS, heap, event-loop delay and
 * active handles (from the server's SKIFF_RESOURCE_LOG_MS lines), open file
 * descriptors, and the database and WAL sizes; it prints the samples and
 * each figure's trend after warm-up (least-squares slope per minute), which
 * should be flat. Events live 5 minutes here (SKIFF_SOAK_EVENT_TTL), so their
 * expiry is part of the steady state the trend is measured over.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../test/harness/server-harness.js';
import { ApiClient } from '../test/harness/api-client.js';

interface Sample {
  t: number;
  rssMiB: number;
  heapMiB: number;
  loopDelayP99Ms: number;
  handles: number;
  fds: number;
  dbMiB: number;
  walMiB: number;
  watchers: number;
}

const SAMPLE_MS = 10_000;
const NS = 'soak';

function minutesFlag(): number {
  const i = process.argv.indexOf('--soak-minutes');
  return i >= 0 ? Number(process.argv[i + 1]) : 30;
}

function sizeMiB(path: string): number {
  try {
    return statSync(path).size / 2 ** 20;
  } catch {
    return 0;
  }
}

/** slopePerMinute is the least-squares slope of `ys` over `ts` (ms), per minute. */
function slopePerMinute(ts: number[], ys: number[]): number {
  const n = ts.length;
  if (n < 2) return 0;
  const mt = ts.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (ts[i] - mt) * (ys[i] - my);
    den += (ts[i] - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}

export async function runSoakBench(): Promise<Record<string, number>> {
  const minutes = minutesFlag();
  process.env.SKIFF_RESOURCE_LOG_MS = String(SAMPLE_MS);
  // Events expire after 5 minutes rather than upstream's hour, so the run sees the event log reach its
  // steady size (with the default TTL the database grows for the first hour, as etcd's does upstream).
  const s = await startServer({ args: ['--simulated-nodes', '2', '--event-ttl', process.env.SKIFF_SOAK_EVENT_TTL ?? '5m'] });
  const c = new ApiClient(s.kubeconfig, { maxSockets: 8 });
  const samples: Sample[] = [];
  const watchers: AbortController[] = [];
  let ops = 0;
  let errors = 0;
  try {
    await c.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    for (let d = 0; d < 3; d++) {
      await c.json('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `d${d}` },
        spec: { replicas: 1, selector: { matchLabels: { app: `d${d}` } }, template: { metadata: { labels: { app: `d${d}` } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
      });
    }
    for (let i = 0; i < 5; i++) await c.json('POST', `/api/v1/namespaces/${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm${i}` }, data: { v: '0' } });
    const started = Date.now();
    const end = started + minutes * 60_000;
    let nextSample = started + SAMPLE_MS;
    let podSeq = 0;
    while (Date.now() < end) {
      const tick = Date.now();
      const step = ops % 5;
      try {
        if (step === 0) await c.send('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/d${ops % 3}/scale`, JSON.stringify({ spec: { replicas: Math.floor(Math.random() * 5) } }), { 'Content-Type': 'application/merge-patch+json' });
        else if (step === 1) await c.json('POST', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${podSeq++}` }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
        else if (step === 2 && podSeq > 5) await c.send('DELETE', `/api/v1/namespaces/${NS}/pods/p${podSeq - 5}?gracePeriodSeconds=0`);
        else if (step === 3) await c.send('PATCH', `/api/v1/namespaces/${NS}/configmaps/cm${ops % 5}`, JSON.stringify({ data: { v: String(ops) } }), { 'Content-Type': 'application/merge-patch+json' });
        else {
          // Watchers join and leave: at most 10 at once, the oldest leaves first.
          if (watchers.length >= 10 || (watchers.length > 0 && Math.random() < 0.4)) watchers.shift()!.abort();
          else {
            const ac = new AbortController();
            watchers.push(ac);
            c.lines(`/api/v1/namespaces/${NS}/pods?watch=1`, () => undefined, ac.signal).catch(() => undefined);
          }
        }
      } catch {
        errors++;
      }
      ops++;
      if (Date.now() >= nextSample) {
        nextSample += SAMPLE_MS;
        samples.push(sample(s.process.pid!, s.dataDir, s.logs(), Date.now() - started, watchers.length));
        const last = samples[samples.length - 1];
        console.log(`soak t=${(last.t / 1000).toFixed(0)}s rss=${last.rssMiB.toFixed(1)}MiB heap=${last.heapMiB.toFixed(1)}MiB lag99=${last.loopDelayP99Ms.toFixed(1)}ms handles=${last.handles} fds=${last.fds} db=${last.dbMiB.toFixed(2)}MiB wal=${last.walMiB.toFixed(2)}MiB ops=${ops} errors=${errors}`);
      }
      // 20 operations per second.
      await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - tick))));
    }
  } finally {
    for (const w of watchers) w.abort();
    c.close();
    await s.stop();
  }
  return summarize(samples, ops, errors, (s.logs().match(/MaxListenersExceededWarning/g) ?? []).length);
}

function sample(pid: number, dataDir: string, logs: string, t: number, watchers: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const line = logs.slice(logs.lastIndexOf('resources: ') + 'resources: '.length).split('\n')[0];
  let inner = { heapUsed: 0, loopDelayP99Ms: 0, handles: 0 };
  try {
    inner = JSON.parse(line) as typeof inner;
  } catch {
    // No sample line yet.
  }
  return {
    t,
    rssMiB: rssKiB / 1024,
    heapMiB: inner.heapUsed / 2 ** 20,
    loopDelayP99Ms: inner.loopDelayP99Ms,
    handles: inner.handles,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    dbMiB: sizeMiB(join(dataDir, 'db', 'state.db')),
    walMiB: sizeMiB(join(dataDir, 'db', 'state.db-wal')),
    watchers,
  };
}

/** summarize reports the last value and the post-warm-up slope per minute of each figure (warm-up: the first fifth). */
function summarize(samples: Sample[], ops: number, errors: number, listenerWarnings: number): Record<string, number> {
  const steady = samples.slice(Math.floor(samples.length / 5));
  const ts = steady.map((x) => x.t);
  const out: Record<string, number> = { samples: samples.length, ops, errors, maxListenersWarnings: listenerWarnings };
  for (const k of ['rssMiB', 'heapMiB', 'loopDelayP99Ms', 'handles', 'fds', 'dbMiB', 'walMiB'] as const) {
    const ys = steady.map((x) => x[k]);
    out[`${k}.last`] = ys[ys.length - 1] ?? 0;
    out[`${k}.slopePerMin`] = slopePerMinute(ts, ys);
  }
  return out;
}
