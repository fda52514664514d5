// SPDX-License-Identifier: Apache-2.0
/**
 * The crash workload: concurrent writers create, update, patch and delete
 * ConfigMaps (with and without resourceVersion preconditions) while a
 * watcher records every event, and the server is SIGKILLed at random
 * moments and restarted on the same data dir. The recorded history is then
 * checked by history-checker.ts. Shared by the short test and the long
 * benchmark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle } from './server-harness.js';
import { ApiClient } from './api-client.js';
import { checkHistory, type CheckResult, type ObservedEvent, type WriteOp } from './history-checker.js';

export interface CrashOptions {
  writers: number;
  keys: number;
  restarts: number;
  /** loadMs bounds the random time of load before each kill. */
  loadMs: { min: number; max: number };
  seed: number;
  log?: (msg: string) => void;
}

export interface CrashReport extends CheckResult {
  restarts: number;
  watchReconnects: number;
  gone: number;
}

const NS = 'crash';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
// The history is of the workload's own keys: the root CA publisher's kube-root-ca.crt, which every namespace gets, is left out by the server.
const OWN_KEYS = `fieldSelector=${encodeURIComponent('metadata.name!=kube-root-ca.crt')}`;

/** rng is a small seeded generator (mulberry32), so a failing run can be repeated. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ConfigMapBody {
  metadata?: { name?: string; resourceVersion?: string };
  data?: { v?: string };
}

/** runCrashScenario runs the whole scenario and returns the checked history. */
export async function runCrashScenario(o: CrashOptions): Promise<CrashReport> {
  const random = rng(o.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-crash-'));
  const ops: WriteOp[] = [];
  const events: ObservedEvent[] = [];
  let lastRv = 0;
  let reconnects = 0;
  let gone = 0;
  let s: ServerHandle | undefined;
  let client: ApiClient | undefined;
  const watchAbort = new AbortController();
  try {
    s = await startServer({ dataDir, keepDataDir: true });
    client = new ApiClient(s.kubeconfig, { maxSockets: Math.min(o.writers, 64) });
    await client.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    lastRv = Number((await client.json<{ metadata: { resourceVersion: string } }>('GET', CM)).object.metadata.resourceVersion);
    let current = client;
    // The watcher follows the server across restarts from its last resourceVersion, as a reflector does.
    const watcher = (async () => {
      while (!watchAbort.signal.aborted) {
        const c = current;
        try {
          await c.lines(`${CM}?watch=1&resourceVersion=${lastRv}&allowWatchBookmarks=true&${OWN_KEYS}`, (line) => {
            const ev = JSON.parse(line) as { type: string; object: ConfigMapBody & { code?: number } };
            if (ev.type === 'ERROR') {
              if (ev.object.code === 410) gone++;
              return;
            }
            const rv = Number(ev.object.metadata?.resourceVersion);
            if (ev.type === 'BOOKMARK') {
              lastRv = Math.max(lastRv, rv);
              return;
            }
            events.push({ key: ev.object.metadata!.name!, type: ev.type as ObservedEvent['type'], rv, value: ev.object.data?.v });
            lastRv = rv;
          }, watchAbort.signal);
        } catch {
          // The server is down; retry below.
        }
        reconnects++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    for (let epoch = 0; epoch <= o.restarts; epoch++) {
      const stop = { now: false };
      const writers = Array.from({ length: o.writers }, (_, w) => writer(current, epoch, w, o.keys, random, ops, stop));
      await new Promise((r) => setTimeout(r, o.loadMs.min + random() * (o.loadMs.max - o.loadMs.min)));
      if (epoch < o.restarts) {
        await s.kill();
        stop.now = true;
        await Promise.all(writers);
        current.close();
        s = await startServer({ dataDir, keepDataDir: true });
        current = new ApiClient(s.kubeconfig, { maxSockets: Math.min(o.writers, 64) });
        o.log?.(`restart ${epoch + 1}/${o.restarts}: ${ops.length} writes so far`);
      } else {
        stop.now = true;
        await Promise.all(writers);
      }
    }
    // Let the watcher catch up with the newest revision, then read the final state.
    const list = (await current.json<{ metadata: { resourceVersion: string }; items: ConfigMapBody[] }>('GET', `${CM}?${OWN_KEYS}`)).object;
    const deadline = Date.now() + 30_000;
    while (lastRv < Number(list.metadata.resourceVersion) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    watchAbort.abort();
    await watcher;
    const finalState = new Map(list.items.map((i) => [i.metadata!.name!, { rv: Number(i.metadata!.resourceVersion), value: i.data?.v }]));
    current.close();
    return { ...checkHistory(ops, events, finalState), restarts: o.restarts, watchReconnects: reconnects, gone };
  } finally {
    watchAbort.abort();
    client?.close();
    await s?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** writer loops over random writes until told to stop, recording each. */
async function writer(c: ApiClient, epoch: number, w: number, keys: number, random: () => number, ops: WriteOp[], stop: { now: boolean }): Promise<void> {
  const known = new Map<string, string>();
  for (let seq = 0; !stop.now; seq++) {
    const key = `k${Math.floor(random() * keys)}`;
    const value = `${epoch}-${w}-${seq}`;
    const roll = random();
    const precondition = random() < 0.5 ? known.get(key) : undefined;
    const kind: WriteOp['kind'] = roll < 0.3 ? 'create' : roll < 0.55 ? 'update' : roll < 0.85 ? 'patch' : 'delete';
    const op: WriteOp = { kind, key, value: kind === 'delete' ? undefined : value, start: Date.now(), end: 0, outcome: 'unknown' };
    try {
      let r: { status: number; body: string };
      if (kind === 'create') r = await c.send('POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: key }, data: { v: value } }), { 'Content-Type': 'application/json' });
      else if (kind === 'update') r = await c.send('PUT', `${CM}/${key}`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: key, resourceVersion: precondition }, data: { v: value } }), { 'Content-Type': 'application/json' });
      else if (kind === 'patch') r = await c.send('PATCH', `${CM}/${key}`, JSON.stringify({ metadata: precondition ? { resourceVersion: precondition } : {}, data: { v: value } }), { 'Content-Type': 'application/merge-patch+json' });
      else r = await c.send('DELETE', `${CM}/${key}`, JSON.stringify(precondition ? { preconditions: { resourceVersion: precondition } } : {}), { 'Content-Type': 'application/json' });
      op.status = r.status;
      if (r.status < 300) {
        op.outcome = 'ok';
        const body = JSON.parse(r.body) as ConfigMapBody;
        if (kind !== 'delete') {
          op.rv = Number(body.metadata?.resourceVersion);
          known.set(key, body.metadata!.resourceVersion!);
        } else known.delete(key);
      } else if (r.status < 500) {
        op.outcome = 'failed';
        if (r.status === 409 || r.status === 404) known.delete(key);
      }
    } catch {
      // The connection died with the server: the write may or may not have happened.
    }
    op.end = Date.now();
    ops.push(op);
  }
}
