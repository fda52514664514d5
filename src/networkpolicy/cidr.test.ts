// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subtractCIDRs } from './cidr.js';

test('subtractCIDRs cuts excepts out of a block into disjoint CIDRs', () => {
  assert.deepEqual(subtractCIDRs('10.0.0.0/8', []), ['10.0.0.0/8']);
  assert.deepEqual(subtractCIDRs('172.17.0.0/16', ['172.17.1.0/24']), [
    '172.17.0.0/24', '172.17.2.0/23', '172.17.4.0/22', '172.17.8.0/21', '172.17.16.0/20', '172.17.32.0/19', '172.17.64.0/18', '172.17.128.0/17',
  ]);
  assert.deepEqual(subtractCIDRs('10.0.0.0/30', ['10.0.0.1/32', '10.0.0.2/32']), ['10.0.0.0/32', '10.0.0.3/32']);
  assert.deepEqual(subtractCIDRs('10.0.0.0/24', ['10.0.0.0/16']), []);
  assert.deepEqual(subtractCIDRs('0.0.0.0/0', ['128.0.0.0/1']), ['0.0.0.0/1']);
  assert.deepEqual(subtractCIDRs('10.1.2.3/16', []), ['10.1.0.0/16']);
  assert.equal(subtractCIDRs('fd00::/8', []), undefined);
});
