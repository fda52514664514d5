// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { podChainName, portMatches, renderPolicyRules, toRestoreInput } from './policy-rules.js';
import { applyRules, removeRules } from './iptables.js';
import type { Runner } from '../netfilter/index.js';

function pod(ns: string, name: string, ip: string, labels: Record<string, string>, node = 'n1', ports: { name: string; containerPort: number }[] = []): Pod {
  return { metadata: { namespace: ns, name, labels }, spec: { nodeName: node, containers: [{ name: 'c', ports }] }, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } };
}

function policy(ns: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { metadata: { namespace: ns, name }, spec };
}

const namespaces: Namespace[] = [{ metadata: { name: 'app', labels: { team: 'a' } } }, { metadata: { name: 'mon', labels: { team: 'ops' } } }];
const pods = [
  pod('app', 'db', '10.42.0.10', { role: 'db' }, 'n1', [{ name: 'pg', containerPort: 5432 }]),
  pod('app', 'web', '10.42.0.11', { role: 'web' }),
  pod('mon', 'prom', '10.42.1.5', { role: 'prom' }, 'n2'),
  pod('app', 'other-node', '10.42.1.6', { role: 'db' }, 'n2'),
  { ...pod('app', 'host', '192.168.1.2', { role: 'db' }), spec: { nodeName: 'n1', hostNetwork: true, containers: [] } },
];

test('golden: default deny, pod + namespace selectors, named port, ipBlock except, egress with endPort', () => {
  const policies = [
    policy('app', 'db-allow', {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { role: 'web' } } }, { namespaceSelector: { matchLabels: { team: 'ops' } } }], ports: [{ port: 'pg' }] },
        { from: [{ ipBlock: { cidr: '172.16.0.0/22', except: ['172.16.1.0/24'] } }] },
      ],
    }),
    policy('app', 'web-egress', {
      podSelector: { matchLabels: { role: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app' } }, podSelector: { matchLabels: { role: 'db' } } }], ports: [{ protocol: 'TCP', port: 5000, endPort: 5100 }, { protocol: 'UDP', port: 'pg' }] }],
    }),
    policy('mon', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
  ];
  const rendered = renderPolicyRules({ policies, pods, namespaces, nodeName: 'n1', chainPrefix: 'T' });
  const db = podChainName('T', 'Ingress', pods[0]);
  const web = podChainName('T', 'Egress', pods[1]);
  assert.equal(db.length <= 28, true);
  const expected = [
    '*filter',
    ':T-FORWARD - [0:0]',
    `:${db} - [0:0]`,
    `:${web} - [0:0]`,
    ':T-STALE - [0:0]',
    '-A T-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    `-A T-FORWARD -s 10.42.0.11/32 -m comment --comment "app/web egress" -j ${web}`,
    `-A T-FORWARD -d 10.42.0.10/32 -m comment --comment "app/db ingress" -j ${db}`,
    `-A ${db} -s 10.42.0.11/32 -p tcp -m tcp --dport 5432 -m comment --comment "app/db-allow ingress[0]" -j RETURN`,
    `-A ${db} -s 10.42.1.5/32 -p tcp -m tcp --dport 5432 -m comment --comment "app/db-allow ingress[0]" -j RETURN`,
    `-A ${db} -s 172.16.0.0/24 -m comment --comment "app/db-allow ingress[1]" -j RETURN`,
    `-A ${db} -s 172.16.2.0/23 -m comment --comment "app/db-allow ingress[1]" -j RETURN`,
    `-A ${db} -j DROP`,
    `-A ${web} -d 10.42.0.10/32 -p tcp -m tcp --dport 5000:5100 -m comment --comment "app/web-egress egress[0]" -j RETURN`,
    `-A ${web} -d 10.42.1.6/32 -p tcp -m tcp --dport 5000:5100 -m comment --comment "app/web-egress egress[0]" -j RETURN`,
    `-A ${web} -j DROP`,
    '-X T-STALE',
    'COMMIT',
    '',
  ].join('\n');
  assert.equal(toRestoreInput(rendered, ['T-STALE']), expected);
});

test('no policy selecting a local pod renders an empty main chain; allow-all rule renders a bare RETURN', () => {
  assert.deepEqual([...renderPolicyRules({ policies: [], pods, namespaces, nodeName: 'n1' }).chains], [['SKIFF-NP-FORWARD', []]]);
  const allowAll = policy('app', 'allow-all', { podSelector: {}, ingress: [{}] });
  const r = renderPolicyRules({ policies: [allowAll], pods, namespaces, nodeName: 'n1', chainPrefix: 'T' });
  const web = podChainName('T', 'Ingress', pods[1]);
  assert.deepEqual(r.chains.get(web), ['-m comment --comment "app/allow-all ingress[0]" -j RETURN', '-j DROP']);
  // policyTypes defaults to Ingress only: no egress chains.
  assert.equal([...r.chains.keys()].filter((c) => c.startsWith('T-E-')).length, 0);
});

test('ports: protocol only, numeric string, unresolvable named port', () => {
  assert.deepEqual(portMatches({ protocol: 'UDP' }, undefined), ['-p udp']);
  assert.deepEqual(portMatches({ port: '80' }, undefined), ['-p tcp -m tcp --dport 80']);
  assert.deepEqual(portMatches({ port: 'http' }, pods[0]), []);
  assert.deepEqual(portMatches({ port: 'pg', protocol: 'UDP' }, pods[0]), []);
});

test('applyRules deletes stale chains and inserts the FORWARD jump once; removeRules cleans up', async () => {
  const calls: string[] = [];
  let jumped = false;
  const runner: Runner = async (cmd, args, input) => {
    calls.push([cmd, ...args].join(' ') + (input ? `\n${input}` : ''));
    if (cmd === 'iptables-save') return '*filter\n:FORWARD ACCEPT [0:0]\n:T-FORWARD - [0:0]\n:T-I-OLD - [0:0]\n:OTHER - [0:0]\nCOMMIT\n';
    if (args.includes('-C')) {
      if (!jumped) throw new Error('no rule');
    }
    if (args.includes('-I')) jumped = true;
    if (args.includes('-D')) {
      if (!jumped) throw new Error('no rule');
      jumped = false;
    }
    return '';
  };
  const rendered = { main: 'T-FORWARD', chains: new Map([['T-FORWARD', []]]) };
  await applyRules(rendered, 'T', runner);
  await applyRules(rendered, 'T', runner);
  assert.equal(calls.filter((c) => c.includes(' -I FORWARD 1 -j T-FORWARD')).length, 1);
  assert.ok(calls[1].includes(':T-I-OLD - [0:0]') && calls[1].includes('-X T-I-OLD') && !calls[1].includes('OTHER'));
  calls.length = 0;
  await removeRules('T', runner);
  assert.ok(calls.some((c) => c.includes('-D FORWARD -j T-FORWARD')));
  assert.ok(calls.some((c) => c.includes('-X T-FORWARD') && c.includes('-X T-I-OLD')));
});
