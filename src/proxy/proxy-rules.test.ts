// SPDX-License-Identifier: Apache-2.0
// Golden tests: the exact iptables-restore input for a clean machine, per
// scenario. Regenerate with UPDATE_GOLDEN=1 after an intended change and
// read the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ChainNames } from './chain-names.js';
import { restorePayload } from './iptables.js';
import { renderRules } from './proxy-rules.js';
import { servicePorts } from './service-port.js';

const TESTDATA = fileURLToPath(new URL('../../../src/proxy/testdata/', import.meta.url));
const names = new ChainNames('SKIFF');

function svc(name: string, spec: Partial<NonNullable<Service['spec']>>, status?: Service['status']): Service {
  return { metadata: { namespace: 'ns', name }, spec: { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec }, status };
}

function slice(service: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): EndpointSlice {
  return { metadata: { namespace: 'ns', name: `${service}-abc`, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports };
}

function ep(ip: string, nodeName = 'n1', conditions: { ready?: boolean; serving?: boolean; terminating?: boolean } = { ready: true }): EndpointSlice['endpoints'][number] {
  return { addresses: [ip], nodeName, conditions };
}

const twoEndpoints = [slice('web', [ep('10.42.0.5'), ep('10.42.1.6', 'n2')])];
const nodePort = [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }];

const scenarios: Record<string, { services: Service[]; slices: EndpointSlice[]; localhostNodePorts?: boolean }> = {
  'cluster-ip': { services: [svc('web', {})], slices: twoEndpoints },
  'node-port': { services: [svc('web', { type: 'NodePort', ports: nodePort })], slices: twoEndpoints },
  'load-balancer': {
    services: [svc('web', { type: 'LoadBalancer', ports: nodePort, externalIPs: ['10.254.1.1'] }, { loadBalancer: { ingress: [{ ip: '10.254.0.1' }] } })],
    slices: twoEndpoints,
    localhostNodePorts: false,
  },
  'session-affinity': { services: [svc('web', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })], slices: twoEndpoints },
  'no-endpoints': { services: [svc('web', { type: 'NodePort', ports: nodePort })], slices: [slice('web', [ep('10.42.0.5', 'n1', { ready: false })])] },
  'local-policies': {
    services: [
      svc('itp', { internalTrafficPolicy: 'Local' }),
      svc('etp', { clusterIP: '10.43.0.21', type: 'NodePort', externalTrafficPolicy: 'Local', ports: nodePort }),
      svc('remote', { clusterIP: '10.43.0.22', type: 'NodePort', externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', ports: [{ ...nodePort[0], nodePort: 30081 }] }),
    ],
    slices: [slice('itp', [ep('10.42.0.5'), ep('10.42.1.6', 'n2')]), slice('etp', [ep('10.42.0.7'), ep('10.42.1.8', 'n2')]), slice('remote', [ep('10.42.1.9', 'n2')])],
  },
  'multi-port-udp-terminating': {
    services: [
      svc('dns', {
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      }),
    ],
    slices: [
      slice(
        'dns',
        [ep('10.42.0.2', 'n1', { ready: false, serving: true, terminating: true }), ep('10.42.0.3', 'n1', { ready: false, serving: false, terminating: true })],
        [
          { name: 'dns', port: 5353, protocol: 'UDP' },
          { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
        ],
      ),
    ],
  },
  'headless-and-external-name': {
    services: [svc('headless', { clusterIP: 'None' }), { metadata: { namespace: 'ns', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } }],
    slices: [slice('headless', [ep('10.42.0.5')])],
  },
};

for (const [name, s] of Object.entries(scenarios)) {
  test(`rules golden: ${name}`, () => {
    const rules = renderRules(servicePorts(s.services, s.slices, 'n1'), { names, clusterCIDR: '10.42.0.0/16', masqueradeMark: 0x4000, localhostNodePorts: s.localhostNodePorts ?? true });
    const got = restorePayload(new Map(), names, rules);
    const file = `${TESTDATA}${name}.golden`;
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, got);
    assert.equal(got, readFileSync(file, 'utf8'));
  });
}

test('statistic probabilities give every endpoint an equal share', () => {
  const eps = [1, 2, 3, 4].map((i) => ep(`10.42.0.${i}`));
  const rules = renderRules(servicePorts([svc('web', {})], [slice('web', eps)], 'n1'), { names, masqueradeMark: 0x4000, localhostNodePorts: true });
  const probs = rules.nat.rules.filter((r) => r.startsWith('-A SKIFF-SVC-')).map((r) => Number(/--probability (\S+)/.exec(r)?.[1] ?? 1));
  let left = 1;
  for (const p of probs) {
    assert.ok(Math.abs(left * p - 0.25) < 1e-9, `share ${left * p}`);
    left *= 1 - p;
  }
});

test('without a cluster CIDR, cluster IP traffic is not masqueraded', () => {
  const rules = renderRules(servicePorts([svc('web', {})], twoEndpoints, 'n1'), { names, masqueradeMark: 0x4000, localhostNodePorts: true });
  assert.ok(!rules.nat.rules.some((r) => r.includes('! -s')));
});
