// SPDX-License-Identifier: Apache-2.0
/**
 * The failover scenarios of ha-embedded-etcd.test.ts that need more than a
 * few lines, on its three-server cluster (HAServers), and the lookups they
 * share with it (pods, lease holders).
 *
 * - leaseHolderKilledUnderWrites: 500 writes in flight over the three
 *   servers, a Deployment rollout just started, then SIGKILL of the server
 *   holding the kube-controller-manager Lease (found from holderIdentity);
 *   acknowledged writes are all there, another server leads and schedules a
 *   new pod within a generous bound, the rollout completes.
 * - quorumLostAndRegained: two of three servers SIGKILLed; the survivor
 *   answers 503 ServiceUnavailable to writes and to reads (every read is a
 *   linearizable etcd Range: Skiff has no watch cache to serve stale reads
 *   from, so a read without quorum fails as kube-apiserver's reads that go to
 *   etcd do); one server back: writes resume and nothing acknowledged is
 *   lost; the last back: three healthy members with the same KV hash.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { HAServers } from './machines/ha-servers.js';
import { WriteStorm } from './ha-write-storm.js';
import { waitFor } from '../harness/wait-for.js';
import { BUSYBOX_IMAGE } from '../../src/images/index.js';

/** LEASE_SECONDS is the harness's --leader-elect-lease-duration (ha-servers.ts); the bound below adds generous slack for a loaded machine. */
const LEASE_SECONDS = 4;
const FAILOVER_BOUND_MS = (LEASE_SECONDS + 86) * 1000;

export function runningPods(h: HAServers, via: number, ns: string): { name: string; node: string }[] {
  const r = h.kubectl(via, ['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={range .items[?(@.status.phase=="Running")]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}']);
  if (r.code !== 0) return [];
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => ({ name: l.split(' ')[0]!, node: l.split(' ')[1]! }));
}

/** identityOf is server i's leader-election identity (hostname_server-identity, as upstream's hostname_uuid). */
export function identityOf(h: HAServers, i: number): string {
  return `${hostname()}_${readFileSync(join(h.servers[i]!.dataDir, 'server-identity'), 'utf8').trim()}`;
}

export function holder(h: HAServers, via: number, lease: string): string {
  const r = h.kubectl(via, ['get', 'lease', lease, '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']);
  return r.code === 0 ? r.stdout : '';
}

/** holderNow reads a Lease's holder over HTTP: kubectl (spawnSync) would stall the test's writers while it runs. */
async function holderNow(h: HAServers, via: number, lease: string): Promise<string> {
  const r = await h.request(via, 'GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease}`);
  return r.status === 200 ? ((r.body as { spec?: { holderIdentity?: string } }).spec?.holderIdentity ?? '') : '';
}

export interface FailoverTimes {
  leasesMovedMs: number;
  podScheduledMs: number;
  rolloutDoneMs: number;
  victim: number;
  /** inFlightToVictim is how many writes to the victim waited for an answer when it was killed. */
  inFlightToVictim: number;
  acknowledged: number;
  /** notAcknowledged counts the other outcomes by their Status reason or connection error. */
  notAcknowledged: Record<string, number>;
  maxInFlight: number;
}

export async function leaseHolderKilledUnderWrites(h: HAServers, ns: string, storm: WriteStorm): Promise<FailoverTimes> {
  const ids = h.servers.map((_, i) => identityOf(h, i));
  const kcm = await waitFor('a server to hold kube-controller-manager', () => ids.indexOf(holder(h, 0, 'kube-controller-manager')) + 1, 60_000, 500) - 1;
  const victim = kcm;
  const live = [0, 1, 2].filter((i) => i !== victim);
  const via = live[0]!;
  let leasesMovedMs = 0;
  let podScheduledMs = 0;
  let rolloutDoneMs = 0;
  let inFlightToVictim = 0;
  try {
    storm.start();
    try {
      await waitFor('500 writes in flight and 500 acknowledged', () => storm.maxInFlight >= storm.workers && storm.acknowledged.length >= 500, 180_000, 100);
      // A rollout starts (a new template), then the leader dies while it and the writes are under way. (Over HTTP, not
      // kubectl: spawnSync would stall the writers and let the victim answer every write in flight before it dies.)
      const patched = await h.request(via, 'PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web`, { spec: { template: { metadata: { annotations: { 'skiff.test/rollout': 'after-leader-kill' } } } } }, 'application/merge-patch+json');
      assert.equal(patched.status, 200, patched.text);
      const ackAtRollout = storm.acknowledged.length;
      await waitFor('writes flowing again', () => storm.acknowledged.length >= ackAtRollout + 100 && storm.inFlightTo(victim) >= 50, 120_000, 10);
      const ackBefore = storm.acknowledged.length;
      inFlightToVictim = storm.inFlightTo(victim);
      storm.markDown(victim);
      const killedAt = Date.now();
      await h.servers[victim]!.kill();
      // The leases move: whoever held either one on the victim, a live server holds both now.
      const liveIds = live.map((i) => ids[i]!);
      await waitFor('live servers to hold both leases', async () => liveIds.includes(await holderNow(h, via, 'kube-controller-manager')) && liveIds.includes(await holderNow(h, via, 'kube-scheduler')), FAILOVER_BOUND_MS, 250);
      leasesMovedMs = Date.now() - killedAt;
      // The new scheduler acts: a pod created now is bound to the agent.
      const pod = {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-leader-kill' },
        spec: { nodeSelector: { 'kubernetes.io/hostname': 'agent-1' }, restartPolicy: 'Never', containers: [{ name: 'sleep', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
      };
      const created = await h.request(via, 'POST', `/api/v1/namespaces/${ns}/pods`, pod);
      assert.equal(created.status, 201, created.text);
      await waitFor('the new pod to be scheduled', async () => {
        const r = await h.request(via, 'GET', `/api/v1/namespaces/${ns}/pods/after-leader-kill`);
        return (r.body as { spec?: { nodeName?: string } }).spec?.nodeName === 'agent-1';
      }, FAILOVER_BOUND_MS, 250);
      podScheduledMs = Date.now() - killedAt;
      assert.ok(podScheduledMs < FAILOVER_BOUND_MS, `scheduled ${podScheduledMs} ms after the kill`);
      await waitFor('writes through the survivors after the kill', () => storm.acknowledged.length >= ackBefore + 500, 240_000, 200);
      await storm.stop();
      // The rollout started before the kill completes under the new controller manager.
      const rollout = h.kubectl(via, ['rollout', 'status', 'deployment/web', '-n', ns, '--timeout', '240s']);
      assert.equal(rollout.code, 0, `rollout: ${rollout.stderr}${rollout.stdout}`);
      rolloutDoneMs = Date.now() - killedAt;
      assert.match(h.kubectlOk(via, ['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.spec.template.metadata.annotations}']), /after-leader-kill/);
    } finally {
      await storm.stop();
    }
    const notAcknowledged: Record<string, number> = {};
    for (const o of storm.outcomes) if (!o.ok) notAcknowledged[o.why!.split(':')[0]!] = (notAcknowledged[o.why!.split(':')[0]!] ?? 0) + 1;
    const counts = { victim, inFlightToVictim, acknowledged: storm.acknowledged.length, notAcknowledged, maxInFlight: storm.maxInFlight };
    // Every acknowledged write is there with its content, read through each live server.
    for (const i of live) {
      const { missing, different } = await storm.verify(h.kubeconfig(i));
      assert.deepEqual(missing, [], `through s${i + 1}: ${missing.length} of ${storm.acknowledged.length} acknowledged writes lost`);
      assert.deepEqual(different, [], `through s${i + 1}: acknowledged writes with other content`);
    }
    h.kubectlOk(via, ['delete', 'pod', 'after-leader-kill', '-n', ns, '--grace-period', '0', '--force']);
    // The victim comes back and the cluster has three members again for what follows.
    await h.servers[victim]!.start();
    storm.markUp(victim);
    await waitFor('three members', () => h.etcdMembers(victim).length === 3, 60_000, 1000);
    return { leasesMovedMs, podScheduledMs, rolloutDoneMs, ...counts };
  } finally {
    // Whatever failed above, the later tests get their three servers back.
    if (!h.servers[victim]!.running()) await h.servers[victim]!.start().catch(() => undefined);
  }
}

export interface QuorumOutcome {
  /** refusedWrite and refusedRead are the survivor's answers while two of three servers are down. */
  refusedWrite: { status: number; reason: string; message: string };
  refusedRead: { status: number; reason: string; message: string };
  /** refusedNames are the writes answered 503 (their outcome is unknown to the client, as with any timeout). */
  refusedNames: string[];
  /** refusedStored are the refused writes found stored (intact) once the majority was back. */
  refusedStored: string[];
  resumedAfterMs: number;
}

type StatusBody = { kind?: string; status?: string; code?: number; reason?: string; message?: string };

/** quorumLostAndRegained kills every server but `survivor`, then brings them back one by one. */
export async function quorumLostAndRegained(h: HAServers, ns: string, storm: WriteStorm, survivor: number): Promise<QuorumOutcome> {
  const killed = [0, 1, 2].filter((i) => i !== survivor);
  try {
    for (const i of killed) await h.servers[i]!.kill();
    const refusedNames: string[] = [];
    const write = async (name: string) => {
      refusedNames.push(name);
      return h.request(survivor, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { storm: storm.label } }, data: { name, via: String(survivor), payload: `${name}:`.repeat(8) } });
    };
    // etcd needs an election timeout to notice the lost majority; until then a write waits for its deadline (5 s here) and fails the same way.
    let n = 0;
    const refused = await waitFor('a write to be refused', async () => {
      const r = await write(`quorum-lost-${n++}`);
      return r.status >= 500 ? r : undefined;
    }, 120_000, 500);
    const w = refused.body as StatusBody;
    assert.equal(refused.status, 503, refused.text);
    assert.deepEqual({ kind: w.kind, status: w.status, code: w.code, reason: w.reason }, { kind: 'Status', status: 'Failure', code: 503, reason: 'ServiceUnavailable' });
    assert.match(w.message ?? '', /^storage is unavailable: etcd at https:\/\/127\.0\.0\.1:2379 is unavailable: .*majority of its members/);
    // kubectl says it as plainly.
    const viaKubectl = h.kubectl(survivor, ['create', 'configmap', 'quorum-lost-kubectl', '-n', ns]);
    refusedNames.push('quorum-lost-kubectl');
    assert.notEqual(viaKubectl.code, 0);
    // (kubectl create configmap words it `error: failed to create configmap: <the Status message>`.)
    assert.match(viaKubectl.stderr, /storage is unavailable: etcd .* is unavailable: .*majority of its members/);
    // Reads are linearizable etcd Ranges: they fail the same way instead of answering possibly stale data.
    const read = await h.request(survivor, 'GET', `/api/v1/namespaces/${ns}/configmaps/after-kill`);
    const rb = read.body as StatusBody;
    assert.equal(read.status, 503, read.text);
    assert.equal(rb.reason, 'ServiceUnavailable');
    assert.match(rb.message ?? '', /^storage is unavailable: etcd .* is unavailable: /);
    // /readyz says the storage is not ready (upstream's [-]etcd line, the reason withheld and logged).
    const ready = await h.request(survivor, 'GET', '/readyz?verbose');
    assert.equal(ready.status, 500, ready.text);
    assert.match(ready.text, /\[-\]etcd failed/);
    await waitFor('the survivor\'s log to explain the lost quorum', () => /etcd: lost quorum: .*3 members and needs 2 of them up/.test(h.servers[survivor]!.logs()), 60_000, 500);

    // One server back: a majority again; writes resume and nothing acknowledged is lost or changed.
    const back = killed[0]!;
    const backAt = Date.now();
    await h.servers[back]!.start();
    await waitFor('writes to resume', async () => (await h.request(survivor, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'quorum-back' } })).status === 201, 120_000, 1000);
    const resumedAfterMs = Date.now() - backAt;
    const refusedStored = new Set<string>();
    for (const i of [survivor, back]) {
      const { missing, different, stored } = await storm.verify(h.kubeconfig(i));
      assert.deepEqual(missing, [], `through s${i + 1}: acknowledged writes lost`);
      assert.deepEqual(different, [], `through s${i + 1}: acknowledged writes changed`);
      // A 503 leaves the outcome unknown (the proposal may still commit once a majority is back), but never half-written.
      for (const name of refusedNames.filter((x) => x.startsWith('quorum-lost-') && x !== 'quorum-lost-kubectl')) {
        const o = stored.get(name);
        if (o) assert.ok(WriteStorm.isIntact(o), `refused write ${name} stored with other content`);
        if (o) refusedStored.add(name);
      }
    }
    assert.match(h.kubectlOk(back, ['get', 'configmap', 'after-kill', 'quorum-back', '-n', ns, '-o', 'name']), /after-kill[\s\S]*quorum-back/);

    // The last one back: three healthy members that agree on the stored data.
    const last = killed[1]!;
    await h.servers[last]!.start();
    await waitFor('three healthy members', () => {
      const health = JSON.parse(h.etcdctl(last, ['endpoint', 'health', '--cluster', '-w', 'json'])) as { health: boolean }[];
      return health.length === 3 && health.every((x) => x.health);
    }, 120_000, 1000);
    assert.equal(h.etcdMembers(last).length, 3);
    // Same history hash on every member up to one revision all of them have applied: no member diverged.
    const rev = Number((JSON.parse(h.etcdctl(survivor, ['endpoint', 'status', '-w', 'json'])) as { Status: { header: { revision: number } } }[])[0]!.Status.header.revision);
    await waitFor('every member to apply that revision', () => {
      const st = JSON.parse(h.etcdctl(last, ['endpoint', 'status', '--cluster', '-w', 'json'])) as { Status: { header: { revision: number } } }[];
      return st.length === 3 && st.every((x) => Number(x.Status.header.revision) >= rev);
    }, 60_000, 500);
    const hashes = JSON.parse(h.etcdctl(last, ['endpoint', 'hashkv', '--cluster', '--rev', String(rev), '-w', 'json'])) as { HashKV: { hash: number } }[];
    assert.equal(hashes.length, 3);
    assert.equal(new Set(hashes.map((x) => x.HashKV.hash)).size, 1, JSON.stringify(hashes));
    for (const i of [0, 1, 2]) await waitFor(`s${i + 1} to be ready`, async () => (await h.request(i, 'GET', '/readyz')).status === 200, 60_000, 1000);
    return { refusedWrite: { status: refused.status, reason: w.reason ?? '', message: w.message ?? '' }, refusedRead: { status: read.status, reason: rb.reason ?? '', message: rb.message ?? '' }, refusedNames, refusedStored: [...refusedStored], resumedAfterMs };
  } finally {
    // Whatever failed above, the later tests get their three servers back.
    for (const i of killed) if (!h.servers[i]!.running()) await h.servers[i]!.start().catch(() => undefined);
  }
}
