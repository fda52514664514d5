// SPDX-License-Identifier: Apache-2.0
/**
 * Servers that run their own etcd (k3s's embedded-etcd model), end to end on
 * machines (network namespaces, test/e2e/machines/ha-servers.ts):
 * - three servers: the first with --cluster-init, two joining with the server
 *   token, make a 3-member etcd; an agent joins through the first server;
 * - a Deployment and its Service run; writes go on through the first and
 *   second servers while the first (the one that initialized the cluster,
 *   k3s#3215) is SIGKILLed, its etcd member with it: every acknowledged write
 *   is readable through the others, kubectl keeps working through them, the
 *   leases move, a new pod is scheduled and runs on the agent, which fails
 *   over to a live server; the first server started again rejoins etcd and
 *   serves what was written while it was away; a joined server killed and
 *   started again rejoins too;
 * - 500 writes in flight over the three servers and a rollout just started
 *   when the server holding the leader leases is SIGKILLed: every
 *   acknowledged write is there with its content, another server takes the
 *   leases and schedules within a bound, the rollout completes; then two of
 *   three are killed: the survivor refuses writes and reads with 503
 *   ServiceUnavailable naming the majority rule, writes resume with one
 *   back, and with all three back the members agree (same KV hash)
 *   (ha-failover-scenarios.ts);
 * - two servers: the log says they tolerate no failure; with one killed the
 *   other refuses writes with a message naming the majority rule, and serves
 *   again once the other is back;
 * - nothing is left behind (etcd processes, namespaces, links, data dirs).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agentUnavailableReason } from './fixtures/agent-server.js';
import { machinesUnavailableReason } from './machines/machine-lab.js';
import { HAServers } from './machines/ha-servers.js';
import { webDeployment } from './machines/workloads.js';
import { holder, identityOf, leaseHolderKilledUnderWrites, quorumLostAndRegained, runningPods as podsIn } from './ha-failover-scenarios.js';
import { WriteStorm } from './ha-write-storm.js';
import { waitFor } from '../harness/wait-for.js';
import { HttpClient, loadKubeconfig } from '../../src/client/http-client.js';
import { R } from '../../src/client/client.js';

const skip = agentUnavailableReason() || machinesUnavailableReason();
const NS = 'ha';

const runningPods = (h: HAServers, via: number) => podsIn(h, via, NS);

describe('three servers with their own etcd', { skip: skip || undefined, timeout: 1_200_000 }, () => {
  let h: HAServers;
  let storm: WriteStorm | undefined;
  before(async () => {
    // The third server runs its own node, as k3s servers do, so that `kubectl delete node` can remove it.
    h = await HAServers.start(3, { withNode: [2] });
  });
  after(async () => {
    if (!h) return;
    await h.stop();
    assert.deepEqual(h.leftovers(), []);
  });

  it('the three servers are the three members of one etcd cluster, and the quorum rule is said', () => {
    const members = h.etcdMembers(2);
    assert.equal(members.length, 3, JSON.stringify(members));
    for (const s of h.servers) assert.ok(members.some((m) => m.peerURLs.includes(`https://${s.machine.ip}:2380`)), `member for ${s.nodeName}`);
    assert.match(h.servers[0]!.logs(), /etcd: 1 member, quorum 1/);
    assert.match(h.servers[2]!.logs(), /etcd: 3 members, quorum 2: the cluster keeps working with up to 1 server down/);
    // The joiners fetched the cluster's secrets with the server token; no file was copied by hand.
    assert.match(h.servers[0]!.logs(), /server-bootstrap: sent the cluster secrets to/);
    assert.match(h.servers[1]!.logs(), /join: server CA verified/);
  });

  it('a token that is not the server token fetches nothing', async () => {
    // The joiners verify the CA first; here only the token matters, so the test does not verify the server.
    const { request } = await import('node:https');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.url(0)}/v1-skiff/server-bootstrap`, { rejectUnauthorized: false, headers: { authorization: `Basic ${Buffer.from('server:wrong-secret-wrong-secret').toString('base64')}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 401);
  });

  it('SIGKILL the first server under writes: nothing acknowledged is lost, the cluster goes on, and it rejoins', async () => {
    await h.addAgent('agent-1', 0);
    h.kubectlOk(1, ['create', 'namespace', NS]);
    h.kubectlOk(1, ['apply', '-f', '-'], JSON.stringify(webDeployment(NS, 'web', 1, { nodeSelector: { 'kubernetes.io/hostname': 'agent-1' } })));
    h.kubectlOk(1, ['expose', 'deployment', 'web', '-n', NS, '--port', '80', '--target-port', '8080']);
    await waitFor('the web pod to run on the agent', () => runningPods(h, 1).length === 1, 180_000, 1000);
    // Writers through the first and the second server; the first dies while they write.
    const clients = [0, 1].map((i) => new HttpClient(loadKubeconfig(h.kubeconfig(i))));
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (via: number, w: number) => {
      for (let i = 0; !stop && i < 300; i++) {
        const name = `w${via}-${w}-${i}`;
        try {
          await clients[via]!.create(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }, { namespace: NS });
          acknowledged.push(name);
        } catch {
          if (via === 0) return; // the server is gone
        }
      }
    };
    const writing = Promise.all([writer(0, 0), writer(0, 1), writer(1, 0), writer(1, 1)]);
    await waitFor('writes under way', () => acknowledged.length >= 40, 60_000, 50);
    await h.servers[0]!.kill();
    await waitFor('writes through the second server after the kill', () => acknowledged.filter((n) => n.startsWith('w1-')).length >= 80, 120_000, 100);
    stop = true;
    await writing;
    for (const c of clients) c.close();
    // Every acknowledged write is there, read through the third server.
    const stored = new Set(h.kubectlOk(2, ['get', 'configmaps', '-n', NS, '-o', 'jsonpath={.items[*].metadata.name}']).split(' '));
    const lost = acknowledged.filter((n) => !stored.has(n));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
    // kubectl keeps working through both survivors.
    h.kubectlOk(2, ['create', 'configmap', 'after-kill', '-n', NS]);
    assert.match(h.kubectlOk(1, ['get', 'configmap', 'after-kill', '-n', NS, '-o', 'name']), /after-kill/);
    // The leader-elected controllers and scheduler go on: a new pod is created, scheduled and run by the agent
    // (which joined through the dead server and now talks to a live one).
    const live = [identityOf(h, 1), identityOf(h, 2)];
    await waitFor('a live server to hold kube-controller-manager', () => live.includes(holder(h, 1, 'kube-controller-manager')), 60_000, 500);
    await waitFor('a live server to hold kube-scheduler', () => live.includes(holder(h, 1, 'kube-scheduler')), 60_000, 500);
    h.kubectlOk(2, ['scale', 'deployment', 'web', '-n', NS, '--replicas', '2']);
    await waitFor('the second web pod to run', () => runningPods(h, 2).length === 2, 180_000, 1000);
    assert.ok(runningPods(h, 2).every((p) => p.node === 'agent-1'));
    const node = h.kubectlOk(1, ['get', 'node', 'agent-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    assert.equal(node, 'True');
    assert.ok(h.kubectlOk(1, ['get', 'endpoints', 'web', '-n', NS, '-o', 'jsonpath={.subsets[*].addresses[*].ip}']).trim().split(' ').length >= 1);
    // The first server comes back on its data dir and rejoins: it serves what was written while it was away.
    await h.servers[0]!.start();
    assert.match(h.kubectlOk(0, ['get', 'configmap', 'after-kill', '-n', NS, '-o', 'name']), /after-kill/);
    assert.equal(h.etcdMembers(0).length, 3);
    h.kubectlOk(0, ['create', 'configmap', 'first-back', '-n', NS]);
  });

  it('SIGKILL a joined server: the others go on; started again it rejoins', async () => {
    await h.servers[2]!.kill();
    h.kubectlOk(0, ['create', 'configmap', 'third-down', '-n', NS]);
    h.kubectlOk(1, ['scale', 'deployment', 'web', '-n', NS, '--replicas', '1']);
    await h.servers[2]!.start();
    assert.match(h.kubectlOk(2, ['get', 'configmap', 'third-down', '-n', NS, '-o', 'name']), /third-down/);
    await waitFor('one web pod left', () => runningPods(h, 2).length === 1, 120_000, 1000);
  });

  it('SIGKILL the lease holder under 500 concurrent writes: nothing acknowledged is lost, another server leads, the rollout completes', async () => {
    storm = new WriteStorm([0, 1, 2].map((i) => h.kubeconfig(i)), NS, 'storm', 500);
    const t = await leaseHolderKilledUnderWrites(h, NS, storm);
    console.log(`# lease holder s${t.victim + 1} killed with ${t.inFlightToVictim} writes to it in flight: leases moved in ${t.leasesMovedMs} ms, a new pod scheduled in ${t.podScheduledMs} ms, rollout done in ${t.rolloutDoneMs} ms (lease ${4} s); ` +
      `${t.acknowledged} writes acknowledged, not: ${JSON.stringify(t.notAcknowledged)}, at most ${t.maxInFlight} in flight`);
  });

  it('kill two of three: the API refuses with 503 and says why, nothing is corrupted, service resumes as servers come back', async () => {
    assert.ok(storm, 'runs after the write storm');
    const q = await quorumLostAndRegained(h, NS, storm, 1);
    console.log(`# quorum lost: write ${q.refusedWrite.status} ${q.refusedWrite.reason}: ${q.refusedWrite.message}; read ${q.refusedRead.status} ${q.refusedRead.reason}; ` +
      `writes resumed ${q.resumedAfterMs} ms after a second server was started; ${q.refusedStored.length} of ${q.refusedNames.length} refused writes were applied later, intact`);
  });

  it('kubectl delete node of a server removes its etcd member; the others go on', async () => {
    await waitFor('the finalizer on the server node', () => h.kubectl(0, ['get', 'node', 's3', '-o', 'jsonpath={.metadata.finalizers}']).stdout.includes('etcd.skiff.dev/member'), 120_000, 1000);
    h.kubectlOk(0, ['delete', 'node', 's3', '--wait=false']);
    await waitFor('the member of s3 to be removed', () => h.etcdMembers(0).length === 2, 120_000, 1000);
    assert.ok(!h.etcdMembers(0).some((m) => m.peerURLs.includes(`https://${h.servers[2]!.machine.ip}:2380`)));
    await waitFor('the node to be gone', () => h.kubectl(0, ['get', 'node', 's3']).code === 1, 120_000, 1000);
    await waitFor('s3 to say its member was removed', () => /was removed from the cluster/.test(h.servers[2]!.logs()), 120_000, 1000);
    h.kubectlOk(1, ['create', 'configmap', 'two-members', '-n', NS]);
    assert.match(h.kubectlOk(0, ['get', 'configmap', 'two-members', '-n', NS, '-o', 'name']), /two-members/);
  });
});

describe('two servers with their own etcd', { skip: skip || undefined, timeout: 600_000 }, () => {
  let h: HAServers;
  before(async () => {
    h = await HAServers.start(2);
  });
  after(async () => {
    if (!h) return;
    await h.stop();
    assert.deepEqual(h.leftovers(), []);
  });

  it('tolerate no failure, and say so: writes stop with a clear message and resume when the other is back', async () => {
    assert.match(h.servers[1]!.logs(), /2 servers tolerate no more failures than 1: if either server stops, the other stops serving writes/);
    h.kubectlOk(0, ['create', 'configmap', 'before', '-n', 'default']);
    await h.servers[1]!.kill();
    const r = h.kubectl(0, ['create', 'configmap', 'during', '-n', 'default']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /storage is unavailable: etcd .* is unavailable: .*majority of its members/);
    await waitFor('the server log to explain the lost quorum', () => /etcd: lost quorum/.test(h.servers[0]!.logs()), 60_000, 500);
    await h.servers[1]!.start();
    await waitFor('writes to resume', () => h.kubectl(0, ['create', 'configmap', 'after', '-n', 'default']).code === 0, 60_000, 1000);
    assert.match(h.kubectlOk(1, ['get', 'configmap', 'before', '-n', 'default', '-o', 'name']), /before/);
    assert.equal(h.kubectl(0, ['get', 'configmap', 'during', '-n', 'default']).code, 1, 'the refused write left nothing');
  });
});
