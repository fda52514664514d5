// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podDNSConfig } from './pod-dns.js';

const resolvConf = join(mkdtempSync(join(tmpdir(), 'dns-')), 'resolv.conf');
writeFileSync(resolvConf, 'nameserver 192.0.2.53\nsearch example.org\noptions edns0\n');
const cluster = { servers: ['10.43.0.10'], domain: 'cluster.local', resolvConf };
const pod = (spec: Partial<NonNullable<Pod['spec']>>): Pod => ({ metadata: { namespace: 'web' }, spec: { containers: [], ...spec } });

describe('podDNSConfig', () => {
  it('ClusterFirst uses the cluster DNS, the namespace search path and ndots:5', () => {
    assert.deepEqual(podDNSConfig(pod({}), cluster), {
      servers: ['10.43.0.10'],
      searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'example.org'],
      options: ['ndots:5'],
    });
  });

  it('Default copies the node resolv.conf; hostNetwork ClusterFirst falls back to it', () => {
    const want = { servers: ['192.0.2.53'], searches: ['example.org'], options: ['edns0'] };
    assert.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), cluster), want);
    assert.deepEqual(podDNSConfig(pod({ hostNetwork: true }), cluster), want);
  });

  it('None uses dnsConfig alone, and dnsConfig options override by name', () => {
    assert.deepEqual(podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a'], options: [{ name: 'ndots', value: '2' }] } }), cluster),
      { servers: ['1.1.1.1'], searches: ['a'], options: ['ndots:2'] });
    assert.deepEqual(podDNSConfig(pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }), cluster).options, ['ndots:1']);
  });
});
