// SPDX-License-Identifier: Apache-2.0
/**
 * Where the cross-node gap goes (`multinode --pod-to-pod-only --decompose`):
 * on the cluster the pod-to-pod figures were taken on, the same interleaved
 * load (same client, servers, concurrency) runs in alternating rounds with
 * the cross-node path as deployed and with parts of it taken away live:
 * - the tunnel: each node routes the other's podCIDR via the other's address,
 *   as flannel's host-gw backend does (pods keep the VXLAN MTU, which 1-KiB
 *   requests never reach);
 * - the lab's switch: a veth pair straight between the two machines
 *   (MachineLab.wireDirect) instead of veth, bridge, veth;
 * - both.
 * Each round's figure is the median B÷A ratio of its adjacent slices, as in
 * the headline figure, which this does not change; the medians over rounds
 * say how much of the gap each part is, measured under the same neighbours.
 */
import { loadavg } from 'node:os';
import type { MachineCluster } from '../test/e2e/machines/cluster.js';
import type { Machine } from '../test/e2e/machines/machine-lab.js';
import { abLoad, median } from './interleaved-load.js';
import { podNetns } from './network-bench.js';

const ROUND = { sliceSeconds: 1, slices: 10, concurrency: 4, warmupSeconds: 1 };
const ROUNDS = 4;

/** PodToPodTargets are the client pod's network namespace and the two servers' addresses. */
export interface PodToPodTargets {
  netns: string;
  same: string;
  cross: string;
}

/** podToPodTargets finds the bench's client netns and the `same` and `cross` pods' ip:port. */
export function podToPodTargets(c: MachineCluster, ns: string): PodToPodTargets {
  const ip = (pod: string) => c.kubectlOk(['get', 'pod', pod, '-n', ns, '-o', 'jsonpath={.status.podIP}']);
  return { netns: podNetns(c.server.dataDir, ip('client')), same: `${ip('same')}:8080`, cross: `${ip('cross')}:8080` };
}

/** Variant takes a part of the path away and returns how to put it back. */
interface Variant {
  name: string;
  apply: () => () => void;
}

/** routeDirect points `from`'s route to the other node's podCIDR at that node's address; undo restores the route as it was. */
function routeDirect(c: MachineCluster, from: Machine, podCIDR: string, via: Machine): () => void {
  const was = c.lab.exec(from, ['ip', '-o', '-4', 'route', 'show', 'exact', podCIDR]).trim();
  if (!was) throw new Error(`${from.name} has no route to ${podCIDR}`);
  c.lab.exec(from, ['ip', 'route', 'replace', podCIDR, 'via', via.ip, 'dev', 'eth0']);
  return () => void c.lab.exec(from, ['ip', 'route', 'replace', ...was.split(/\s+/)]);
}

function variants(c: MachineCluster): Variant[] {
  const [server, agent] = [c.server, c.agents[0]];
  const cidrs = new Map(c.json<{ items: { metadata: { name: string }; spec: { podCIDR?: string } }[] }>(['nodes']).items.map((n) => [n.metadata.name, n.spec.podCIDR ?? '']));
  const [serverCIDR, agentCIDR] = [cidrs.get(server.nodeName)!, cidrs.get(agent.nodeName)!];
  const tunnel = c.lab.exec(server.machine, ['ip', '-o', '-4', 'route', 'show', 'exact', agentCIDR]).includes(' dev flannel.');
  const noTunnel = () => {
    const undo = [routeDirect(c, server.machine, agentCIDR, agent.machine), routeDirect(c, agent.machine, serverCIDR, server.machine)];
    return () => undo.reverse().forEach((u) => u());
  };
  const noSwitch = () => c.lab.wireDirect(server.machine, agent.machine);
  const both = () => {
    const undo = [noTunnel(), noSwitch()];
    return () => undo.reverse().forEach((u) => u());
  };
  return [
    { name: 'as_deployed', apply: () => () => undefined },
    ...(tunnel ? [{ name: 'without_tunnel', apply: noTunnel }] : []),
    { name: 'without_switch', apply: noSwitch },
    ...(tunnel ? [{ name: 'without_tunnel_or_switch', apply: both }] : []),
  ];
}

/** decompose runs ROUNDS rounds over the variants (order reversed every other round) and returns each one's median ratio. */
export function decompose(c: MachineCluster, t: PodToPodTargets): Record<string, number> {
  const vs = variants(c);
  const ratios = new Map(vs.map((v) => [v.name, [] as number[]]));
  const loads: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of r % 2 ? [...vs].reverse() : vs) {
      const undo = v.apply();
      try {
        ratios.get(v.name)!.push(abLoad(t.netns, t.same, t.cross, ROUND).rpsRatio);
        loads.push(loadavg()[0]);
      } finally {
        undo();
      }
    }
  }
  const out: Record<string, number> = {};
  for (const [name, rs] of ratios) out[`pod_to_pod.decompose.${name}.rps_ratio`] = median(rs);
  out['pod_to_pod.decompose.load_average_1m_median'] = median(loads);
  return out;
}
