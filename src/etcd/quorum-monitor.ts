// SPDX-License-Identifier: Apache-2.0
/**
 * watchQuorum tells the server's log when its etcd member loses its leader
 * (the cluster lost its majority) and when it has one again, with the
 * quorum rule in words: users of k3s found out that two servers tolerate no
 * failure only when one died (k3s#5299); here the log says it as it happens.
 */
import { EtcdClient } from '../storage/index.js';
import { clientTLS, type MemberLayout } from './member-config.js';
import { faultTolerance } from './membership.js';

export function watchQuorum(member: MemberLayout, signal: AbortSignal, log: (msg: string) => void, intervalMs = 5_000): void {
  const client = new EtcdClient({ endpoints: [member.localClientURL], tls: clientTLS(member), requestTimeoutMs: Math.min(intervalMs, 5_000) });
  let members = 0;
  let lost = false;
  const check = async () => {
    let leader = false;
    try {
      const list = await client.memberList().catch(() => undefined);
      if (list) members = list.members.length;
      const s = await client.status();
      leader = !!s.leader && s.leader !== '0';
    } catch {
      leader = false;
    }
    if (!leader && !lost) {
      const need = Math.floor(members / 2) + 1;
      log(`etcd: lost quorum: member ${member.name} sees no leader; the cluster has ${members || 'several'} members and needs ${members ? need : 'a majority'} of them up. ` +
        `Writes (and kubectl) fail with 503 ServiceUnavailable until enough servers are back.${members ? ` ${members} servers tolerate ${faultTolerance(members)} failure${faultTolerance(members) === 1 ? '' : 's'}.` : ''}`);
      lost = true;
    } else if (leader && lost) {
      log('etcd: quorum regained: the cluster has a leader again');
      lost = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  signal.addEventListener('abort', () => {
    clearInterval(timer);
    client.close();
  }, { once: true });
}
