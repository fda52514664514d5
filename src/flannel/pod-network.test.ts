// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ownAnnotations, peerOf, vtepMAC } from './backend-data.js';
import { addPeer, removePeer, type Runner } from './links.js';
import { masqueradeRules } from './masquerade.js';
import { applyVxlanNotrack, notrackRules, removeVxlanNotrack } from './vxlan-notrack.js';

const nodeWith = (name: string, annotations: Record<string, string>, podCIDR?: string): Node => ({ metadata: { name, annotations }, spec: podCIDR ? { podCIDR } : {} });

test('a VTEP MAC is stable, unicast and locally administered', () => {
  const mac = vtepMAC('agent-1');
  assert.equal(mac, vtepMAC('agent-1'));
  assert.notEqual(mac, vtepMAC('agent-2'));
  assert.match(mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  assert.equal(parseInt(mac.slice(0, 2), 16) & 3, 2);
});

test('a peer comes from its Node: flannel annotations and spec.podCIDR', () => {
  const a = ownAnnotations('vxlan', '198.51.100.11', 'agent-1');
  assert.deepEqual(JSON.parse(a['flannel.alpha.coreos.com/backend-data']), { VNI: 1, VtepMAC: vtepMAC('agent-1') });
  assert.deepEqual(peerOf(nodeWith('agent-1', a, '10.42.1.0/24')), { name: 'agent-1', backend: 'vxlan', publicIP: '198.51.100.11', podCIDR: '10.42.1.0/24', vtepMAC: vtepMAC('agent-1') });
  assert.equal(peerOf(nodeWith('agent-1', a)), undefined, 'no podCIDR yet');
  assert.equal(peerOf(nodeWith('sim', {}, '10.42.9.0/24')), undefined, 'a node that published nothing (simulated) is no peer');
  assert.deepEqual(peerOf(nodeWith('gw', ownAnnotations('host-gw', '198.51.100.12', 'gw'), '10.42.2.0/24')), { name: 'gw', backend: 'host-gw', publicIP: '198.51.100.12', podCIDR: '10.42.2.0/24' });
});

test('a VXLAN peer is a neighbour, a forwarding entry and an onlink route; host-gw is one route', () => {
  const calls: string[] = [];
  const run: Runner = (cmd, args) => {
    calls.push(`${cmd} ${args.join(' ')}`);
    return { ok: true, out: '' };
  };
  const peer = { name: 'b', backend: 'vxlan' as const, publicIP: '198.51.100.12', podCIDR: '10.42.2.0/24', vtepMAC: '02:00:00:00:00:02' };
  addPeer(run, peer);
  removePeer(run, peer);
  addPeer(run, { ...peer, backend: 'host-gw' });
  assert.deepEqual(calls, [
    'ip neigh replace 10.42.2.0 lladdr 02:00:00:00:00:02 dev flannel.1 nud permanent',
    'bridge fdb replace 02:00:00:00:00:02 dev flannel.1 dst 198.51.100.12 self permanent',
    'ip route replace 10.42.2.0/24 via 10.42.2.0 dev flannel.1 onlink',
    'ip route del 10.42.2.0/24 dev flannel.1',
    'ip neigh del 10.42.2.0 dev flannel.1',
    'bridge fdb del 02:00:00:00:00:02 dev flannel.1 self',
    'ip route replace 10.42.2.0/24 via 198.51.100.12',
  ]);
});

test('masquerading spares pod-to-pod traffic and covers traffic leaving the cluster CIDR', () => {
  const rules = masqueradeRules('X', '10.42.0.0/16', '10.42.1.0/24').map((r) => r.join(' '));
  assert.match(rules[0], /^-A X -s 10\.42\.0\.0\/16 -d 10\.42\.0\.0\/16 .* -j RETURN$/);
  assert.match(rules[1], /^-A X -s 10\.42\.0\.0\/16 ! -d 224\.0\.0\.0\/4 .* -j MASQUERADE --random-fully$/);
});

test('VXLAN datagrams to and from the node address skip conntrack; removing leaves nothing', () => {
  const rules = notrackRules('SKFLX-NOTRACK', '198.51.100.11').map((r) => r.join(' '));
  assert.deepEqual(rules.map((r) => r.replace(/ -m comment .* -j/, ' -j')), [
    '-A SKFLX-NOTRACK -d 198.51.100.11/32 -p udp --dport 8472 -j NOTRACK',
    '-A SKFLX-NOTRACK -s 198.51.100.11/32 -p udp --dport 8472 -j NOTRACK',
  ]);
  const calls: string[] = [];
  const jumps = new Set<string>();
  const run: Runner = (cmd, args) => {
    const a = args.slice(3).join(' ');
    calls.push(a);
    if (args[3] === '-A' && !args[4].startsWith('SKFLX')) jumps.add(args.slice(4).join(' '));
    if (args[3] === '-D') return { ok: jumps.delete(args.slice(4).join(' ')), out: '' };
    if (args[3] === '-C') return { ok: jumps.has(args.slice(4).join(' ')), out: '' };
    return { ok: args[3] !== '-S', out: '' };
  };
  applyVxlanNotrack(run, 'SKFLX-NOTRACK', '198.51.100.11');
  applyVxlanNotrack(run, 'SKFLX-NOTRACK', '198.51.100.11');
  assert.deepEqual([...jumps].map((j) => j.split(' ')[0]), ['PREROUTING', 'OUTPUT'], 'hooked once into raw PREROUTING and OUTPUT');
  removeVxlanNotrack(run, 'SKFLX-NOTRACK');
  assert.equal(jumps.size, 0);
  assert.deepEqual(calls.slice(-2), ['-F SKFLX-NOTRACK', '-X SKFLX-NOTRACK']);
});
