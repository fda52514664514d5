// SPDX-License-Identifier: Apache-2.0
/**
 * Fuzzing a real `skiff server --disable-agent` with fast-check: at least
 * 10,000 generated hostile requests per run (SKIFF_FUZZ_REQUESTS), over
 * every served resource, sent 16 at a time. Expected: the server never
 * exits, never answers 5xx (but for upstream's own 500 of untyped
 * strategic-merge errors and 504 for a too large resourceVersion), every error is a well-formed Status with the HTTP
 * code, every success is JSON, and a rejected write leaves its target as it
 * was. The run is seeded (SKIFF_FUZZ_SEED); a failure prints the seed and
 * the request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { ApiClient, type ApiAnswer } from '../harness/api-client.js';
import { statusProblem } from '../harness/status-check.js';
import { FUZZ_NAMESPACES, SEED_NAMES, fuzzRequest, type FuzzRequest } from '../harness/request-arbitraries.js';

const TOTAL = Number(process.env.SKIFF_FUZZ_REQUESTS ?? 10_000);
const BATCH = 24;
const SEED = Number(process.env.SKIFF_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Kinds nothing but a client writes: a rejected write must leave even their resourceVersion alone. */
const PASSIVE_KINDS = new Set(['ConfigMap', 'Secret', 'Role', 'RoleBinding', 'LimitRange', 'NetworkPolicy', 'PodTemplate', 'ControllerRevision']);

let s: ServerHandle;
let client: ApiClient;
const counts = { requests: 0, byStatus: new Map<number, number>() };
/** failure is the first problem found, reported alone (fast-check's counterexample print is megabytes of bodies). */
let failure: string | undefined;
/** SKIFF_FUZZ_KEEP_GOING=1 collects distinct problems instead of stopping at the first (for fixing many at once). */
const KEEP_GOING = process.env.SKIFF_FUZZ_KEEP_GOING === '1';
const found = new Map<string, string>();

/** answerProblem says what is wrong with an answer, or undefined. */
function answerProblem(r: FuzzRequest, a: ApiAnswer): string | undefined {
  const st = a.status;
  if (st >= 500) {
    // Upstream answers untyped strategic-merge errors with 500 and reason "" (StatusReasonUnknown): parity, not a crash.
    const parsed = safeJson(a.body) as { reason?: string } | undefined;
    const upstreamPatch500 = st === 500 && r.method === 'PATCH' && !parsed?.reason;
    // Upstream answers a resourceVersion beyond the newest with 504 Timeout "Too large resource version".
    const tooLargeRV = st === 504 && /resourceVersion=/.test(r.path) && (r.method === 'HEAD' || parsed?.reason === 'Timeout');
    if (!upstreamPatch500 && !tooLargeRV) return `answered ${st}: ${a.body.slice(0, 400)}`;
  }
  if (r.method === 'HEAD' || st < 200) return undefined;
  if (st >= 400) return statusProblem(a.body, st);
  const streamed = /watch=1/.test(r.path) || /\/log(\?|$)/.test(r.path);
  if (!streamed && safeJson(a.body) === undefined) return `answered ${st} with a body that is not JSON: ${a.body.slice(0, 200)}`;
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** targetOf is the object a write names: the URL's name, or a create body's metadata.name. */
function targetOf(r: FuzzRequest): string | undefined {
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method)) return undefined;
  if (r.name) return /^[a-z0-9-]+$/.test(r.name) ? r.name : undefined;
  const body = safeJson(r.body?.toString() ?? '') as { metadata?: { name?: unknown } } | undefined;
  const n = body?.metadata?.name;
  return r.method === 'POST' && typeof n === 'string' && /^[a-z0-9-]{1,63}$/.test(n) ? n : undefined;
}

function objectPath(r: FuzzRequest, name: string): string {
  const base = r.resource.group ? `/apis/${r.resource.group}/${r.resource.version}` : `/api/${r.resource.version}`;
  return `${base}${r.namespace ? `/namespaces/${r.namespace}` : ''}/${r.resource.plural}/${name}`;
}

async function snapshot(path: string): Promise<{ exists: boolean; uid?: string; rv?: string; deleting?: boolean }> {
  const a = await client.send('GET', path);
  if (a.status === 404) return { exists: false };
  const o = safeJson(a.body) as { metadata?: { uid?: string; resourceVersion?: string; deletionTimestamp?: string } } | undefined;
  return { exists: a.status === 200, uid: o?.metadata?.uid, rv: o?.metadata?.resourceVersion, deleting: !!o?.metadata?.deletionTimestamp };
}

async function runBatch(batch: FuzzRequest[]): Promise<void> {
  const targets = new Map<string, FuzzRequest[]>();
  for (const r of batch) {
    const name = targetOf(r);
    if (!name) continue;
    const p = objectPath(r, name);
    targets.set(p, [...(targets.get(p) ?? []), r]);
  }
  const before = new Map<string, Awaited<ReturnType<typeof snapshot>>>();
  for (const p of targets.keys()) before.set(p, await snapshot(p));
  const answers = await Promise.all(
    batch.map((r) =>
      client.send(r.method, r.path, r.body, r.headers).then(
        (a) => a,
        (err: Error) => ({ status: 0, headers: {}, body: `request failed: ${err.message}` }) as ApiAnswer,
      ),
    ),
  );
  for (let i = 0; i < batch.length; i++) {
    const r = batch[i];
    const a = answers[i];
    counts.requests++;
    counts.byStatus.set(a.status, (counts.byStatus.get(a.status) ?? 0) + 1);
    if (s.process.exitCode !== null || s.process.signalCode) throw new Error(`server died after ${r.method} ${r.path}:\n${s.logs().slice(-4000)}`);
    // Node's HTTP parser cannot read a request with an unknown method: the server answers the parse
    // error and closes, so a client still writing a large body may see its connection reset. The
    // server lives on (checked above); nothing else about such a request can be judged.
    if (a.status === 0 && r.method === 'BOGUS' && /ECONNRESET|EPIPE|socket hang up/.test(a.body)) continue;
    const problem = a.status === 0 ? a.body : answerProblem(r, a);
    if (problem && KEEP_GOING) {
      const key = problem.slice(0, 60);
      if (!found.has(key)) found.set(key, `${r.method} ${r.path} (${JSON.stringify(r.headers)}) body ${r.body?.subarray(0, 200).toString() ?? '-'}:\n${problem.slice(0, 500)}`);
      continue;
    }
    if (problem) throw new Error(`${r.method} ${r.path} (${JSON.stringify(r.headers)}) body ${r.body?.subarray(0, 300).toString() ?? '-'}:\n${problem}`);
  }
  // A rejected write changed nothing: checked where no accepted request of the batch touched the same object.
  for (const [p, reqs] of targets) {
    const idx = reqs.map((r) => batch.indexOf(r));
    if (idx.some((i) => answers[i].status < 400)) continue;
    const was = before.get(p)!;
    const now = await snapshot(p);
    const what = reqs.map((r) => `${r.method} ${r.path} -> ${answers[batch.indexOf(r)].status}`).join('; ');
    if (was.deleting) continue;
    assert.equal(now.exists, was.exists, `rejected writes changed whether ${p} exists: ${what}`);
    assert.equal(now.uid, was.uid, `rejected writes replaced ${p}: ${what}`);
    if (PASSIVE_KINDS.has(reqs[0].resource.kind)) assert.equal(now.rv, was.rv, `rejected writes changed ${p}: ${what}`);
  }
}

describe('API fuzzing', () => {
  before(async () => {
    s = await startServer();
    client = new ApiClient(s.kubeconfig);
    for (const ns of FUZZ_NAMESPACES) {
      await client.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      for (const name of SEED_NAMES) {
        await client.json('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'fuzz' } }, data: { a: 'b' } });
        await client.json('POST', `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { a: 'b' } });
        await client.json('POST', `/api/v1/namespaces/${ns}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: 'fuzz' } } });
        await client.json('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name },
          spec: { replicas: 1, selector: { matchLabels: { app: 'fuzz' } }, template: { metadata: { labels: { app: 'fuzz' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
        });
      }
    }
  });
  after(async () => {
    client?.close();
    await s?.stop();
  });

  it(`answers ${TOTAL} hostile requests with Status errors and no crash (seed ${SEED})`, async () => {
    const started = Date.now();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fuzzRequest, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          try {
            await runBatch(batch);
          } catch (err) {
            failure ??= (err as Error).message;
            throw err;
          }
        }),
        { seed: SEED, numRuns: Math.ceil(TOTAL / BATCH), endOnFailure: true },
      );
    } catch (err) {
      throw new Error(`fuzzing failed with SKIFF_FUZZ_SEED=${SEED} after ${counts.requests} requests: ${failure ?? (err as Error).message.slice(0, 2000)}`);
    } finally {
      const statuses = [...counts.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(' ');
      for (const f of found.values()) console.log(`PROBLEM ${f}\n`);
      console.log(`fuzz: ${counts.requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}, answers ${statuses}`);
    }
    assert.ok(counts.requests >= TOTAL);
    assert.equal(s.process.exitCode, null);
  });
});
