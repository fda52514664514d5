// SPDX-License-Identifier: Apache-2.0
/**
 * The host-gw backend end to end (`--flannel-backend host-gw` on server and
 * agent, machines on one L2 segment): a remote node's podCIDR is one plain
 * route via its address, no VXLAN device exists, pods keep the link's full
 * MTU, and pods on the two machines reach each other by pod IP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agentUnavailableReason } from './fixtures/agent-server.js';
import { machinesUnavailableReason } from './machines/machine-lab.js';
import { MachineCluster } from './machines/cluster.js';
import { waitFor } from '../harness/wait-for.js';
import { podOn } from './machines/workloads.js';

const skip = agentUnavailableReason() || machinesUnavailableReason();
const NS = 'hostgw';
let c: MachineCluster;

describe('host-gw pod network', { skip: skip || undefined, timeout: 600_000 }, () => {
  before(async () => {
    // Ranges other than the defaults and no network flags on the agent: it learns all three from the server.
    c = await MachineCluster.start({ agents: 1, serverArgs: ['--flannel-backend', 'host-gw', '--disable-ingress'], clusterCIDR: '10.52.0.0/16', serviceCIDR: '10.53.0.0/16' });
    c.kubectlOk(['create', 'namespace', NS]);
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify(podOn(NS, 'server-web', 'server', { app: 'web' }, true)));
    c.kubectlOk(['apply', '-f', '-'], JSON.stringify(podOn(NS, 'client', 'agent-1', { app: 'client' })));
    for (const p of ['server-web', 'client']) assert.equal(c.kubectl(['wait', '-n', NS, '--for=condition=Ready', `pod/${p}`, '--timeout=180s']).code, 0, `${p} ready`);
  });

  after(async () => {
    if (!c) return;
    await c.stop();
    assert.deepEqual(c.leftovers(), []);
  });

  it('routes each remote podCIDR via the node address, with no VXLAN device', async () => {
    const [server, agent] = c.lab.machines;
    const agentCIDR = c.kubectlOk(['get', 'node', 'agent-1', '-o', 'jsonpath={.spec.podCIDR}']);
    assert.match(agentCIDR, /^10\.52\.\d+\.0\/24$/, 'the podCIDR comes from the server\'s cluster CIDR');
    assert.match(c.kubectlOk(['get', 'pod', 'client', '-n', NS, '-o', 'jsonpath={.status.podIP}']), /^10\.52\./);
    // Pods on the agent resolve through the cluster DNS Service of the server's service range.
    assert.match(c.kubectlOk(['exec', '-n', NS, 'client', '--', 'cat', '/etc/resolv.conf']), /^nameserver 10\.53\.0\.10$/m);
    assert.match(c.lab.exec(server, ['ip', 'route', 'show', agentCIDR]), new RegExp(`via ${agent.ip.replace(/\./g, '\\.')} dev eth0`));
    assert.equal(c.lab.exec(server, ['ip', '-o', 'link', 'show', 'type', 'vxlan']).trim(), '');
    assert.equal(c.kubectlOk(['exec', '-n', NS, 'client', '--', 'cat', '/sys/class/net/eth0/mtu']).trim(), '1500');
  });

  it('a pod on the agent reaches a pod on the server by pod IP', async () => {
    const ip = c.kubectlOk(['get', 'pod', 'server-web', '-n', NS, '-o', 'jsonpath={.status.podIP}']);
    const body = await waitFor('server-web from the agent', () => {
      const r = c.kubectl(['exec', '-n', NS, 'client', '--', 'timeout', '3', 'wget', '-qO-', `http://${ip}:8080/`]);
      return r.code === 0 && r.stdout.trim();
    }, 60_000, 500);
    assert.equal(body, 'server-web');
  });
});
