// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { R } from '../../client/client.js';
import { newFixture } from '../controller-fixture.js';
import { NodeIpamController } from './range-allocator.js';
import { cidrContains, subnets24 } from './cidr-set.js';

const node = (name: string, podCIDR?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `${name}-uid` }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
});

test('subnets24 and cidrContains', () => {
  assert.deepEqual(subnets24('10.42.0.0/23'), ['10.42.0.0/24', '10.42.1.0/24']);
  assert.ok(cidrContains('10.42.0.0/16', '10.42.7.0/24'));
  assert.ok(!cidrContains('10.42.0.0/16', '10.128.0.0/24'));
  assert.ok(!cidrContains('10.42.0.0/24', '10.42.0.0/16'));
});

test('nodes without a podCIDR get the next free /24; held ranges, even outside the cluster CIDR, are left alone', async () => {
  const f = newFixture([node('a', '10.42.0.0/24'), node('sim', '10.128.0.0/24'), node('b'), node('c')]);
  const c = new NodeIpamController({ client: f.client, factory: f.factory, clusterCIDR: '10.42.0.0/16', recorder: f.recorder, clock: f.clock });
  await f.start();
  // Both syncs start before either write lands: the second must not pick the range the first is writing.
  await Promise.all([c.sync('b'), c.sync('c')]);
  await c.sync('a');
  assert.deepEqual(f.writes().sort(), ['patch nodes b', 'patch nodes c']);
  const cidr = (n: string) => (f.client.objects(R.nodes).find((o) => o.metadata.name === n)?.spec as { podCIDR?: string }).podCIDR;
  assert.deepEqual([cidr('a'), cidr('b'), cidr('c'), cidr('sim')], ['10.42.0.0/24', '10.42.1.0/24', '10.42.2.0/24', '10.128.0.0/24']);
  await f.stop();
});

test('a full cluster CIDR is reported as CIDRNotAvailable and changes nothing', async () => {
  const f = newFixture([node('a', '10.42.0.0/24'), node('b')]);
  const c = new NodeIpamController({ client: f.client, factory: f.factory, clusterCIDR: '10.42.0.0/24', recorder: f.recorder, clock: f.clock });
  await f.start();
  await c.sync('b');
  assert.deepEqual(f.writes(), []);
  assert.deepEqual(await f.events(), ['Normal CIDRNotAvailable Node b status is now: CIDRNotAvailable']);
  await f.stop();
});
