// SPDX-License-Identifier: Apache-2.0
/**
 * Changing the etcd cluster's membership through its Cluster API, as k3s's
 * embedded etcd does when a server joins (MemberAdd, then the new member
 * starts with --initial-cluster-state=existing) or a server node is deleted
 * (MemberRemove), and the quorum rule said in words.
 */
import type { EtcdClient } from '../storage/index.js';
import type { MemberLayout } from './member-config.js';

/**
 * addMember makes this server a voting member and returns the
 * --initial-cluster the new member starts with. A member already added
 * under our peer URL that never started (a join that stopped half-way) is
 * reused; one that did start under our peer URL is an old incarnation of
 * this machine whose data is gone: it is removed and added again.
 */
export async function addMember(client: EtcdClient, m: MemberLayout, log: (msg: string) => void, timeoutMs = 180_000): Promise<string> {
  // etcd refuses a membership change until every member has been connected for a while (its strict reconfiguration
  // check: "unhealthy cluster"), as right after another server joined; k3s retries likewise.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await tryAddMember(client, m, log);
    } catch (err) {
      const retryable = /unhealthy cluster|unavailable|timed out|leader changed|no leader/i.test((err as Error).message);
      if (!retryable || Date.now() > deadline) throw err;
      log(`etcd: cannot add this member yet (${(err as Error).message}); retrying`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

async function tryAddMember(client: EtcdClient, m: MemberLayout, log: (msg: string) => void): Promise<string> {
  const list = await client.memberList();
  const mine = list.members.find((x) => x.peerURLs.includes(m.peerURL));
  let members = list.members;
  if (mine && mine.name !== '') {
    log(`etcd: removing stale member ${mine.name} (${mine.ID}) that held this server's peer URL ${m.peerURL}`);
    await client.memberRemove(mine.ID);
    members = (await client.memberAdd([m.peerURL])).members;
  } else if (!mine) {
    members = (await client.memberAdd([m.peerURL])).members;
    log(`etcd: added member for ${m.peerURL}; the cluster now has ${members.length} members`);
  }
  const unstarted = members.filter((x) => x.name === '' && !x.peerURLs.includes(m.peerURL));
  if (unstarted.length > 0) {
    throw new Error(`etcd: another member (${unstarted.map((x) => x.peerURLs.join(' ')).join(', ')}) was added but never started; start that server first or remove it`);
  }
  return members.map((x) => (x.peerURLs.includes(m.peerURL) ? `${m.name}=${m.peerURL}` : x.peerURLs.map((u) => `${x.name}=${u}`).join(','))).join(',');
}

/** removeMember removes the member with that name; false when there is none (already removed). */
export async function removeMember(client: EtcdClient, name: string): Promise<boolean> {
  const found = (await client.memberList()).members.find((x) => x.name === name);
  if (!found) return false;
  await client.memberRemove(found.ID);
  return true;
}

/** faultTolerance is how many members may fail while the rest still form a majority. */
export function faultTolerance(members: number): number {
  return members <= 0 ? 0 : Math.floor((members - 1) / 2);
}

/**
 * quorumNote says what the cluster's size means for its availability: etcd
 * serves while a majority is up, so two servers tolerate no failure (either
 * one stopping stops the cluster), three tolerate one (k3s#5299 is users
 * discovering this the hard way).
 */
export function quorumNote(members: number): string {
  const quorum = Math.floor(members / 2) + 1;
  const f = faultTolerance(members);
  const base = `etcd: ${members} member${members === 1 ? '' : 's'}, quorum ${quorum}: the cluster keeps working with up to ${f} server${f === 1 ? '' : 's'} down`;
  if (members === 1) return `${base}. Add two servers (--server URL --token TOKEN) for high availability.`;
  if (members % 2 === 0) return `${base}. ${members} servers tolerate no more failures than ${members - 1}${members === 2 ? ': if either server stops, the other stops serving writes until it is back' : ''}; run an odd number (3 tolerate one failure, 5 tolerate two).`;
  return `${base}.`;
}
