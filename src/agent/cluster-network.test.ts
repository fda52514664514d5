// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '../client/fake-client.js';
import { clusterNetworkConfigMaps, FLANNEL_CONFIG, KUBEADM_CONFIG } from '../api/index.js';
import { ClusterNetworkMismatch, learnClusterNetwork } from './cluster-network.js';

const server = { podSubnet: '10.52.0.0/16', serviceSubnet: '10.53.0.0/16', dnsDomain: 'cluster.local', backend: 'host-gw' };

function published(): FakeClient {
  const data = clusterNetworkConfigMaps(server);
  return new FakeClient([
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: KUBEADM_CONFIG.name, namespace: KUBEADM_CONFIG.namespace }, data: data.kubeadm },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: FLANNEL_CONFIG.name, namespace: FLANNEL_CONFIG.namespace }, data: data.flannel },
  ]);
}

test('an agent without network flags takes the server\'s ranges and backend', async () => {
  assert.deepEqual(await learnClusterNetwork(published(), {}, () => {}), server);
});

test('a flag that agrees is fine; one that disagrees stops the agent naming both values', async () => {
  assert.deepEqual(await learnClusterNetwork(published(), { podSubnet: '10.52.0.0/16' }, () => {}), server);
  await assert.rejects(learnClusterNetwork(published(), { podSubnet: '10.42.0.0/16' }, () => {}), (err: Error) => {
    assert.ok(err instanceof ClusterNetworkMismatch);
    assert.equal(err.message, "--cluster-cidr 10.42.0.0/16 does not match the server's 10.52.0.0/16 (kube-system/kubeadm-config); leave the flag out to use the server's");
    return true;
  });
  await assert.rejects(learnClusterNetwork(published(), { backend: 'vxlan' }, () => {}), /--flannel-backend vxlan does not match the server's host-gw \(kube-system\/kube-flannel-cfg\)/);
});

test('a server that publishes nothing leaves the flags and defaults in charge, and says so', async () => {
  const lines: string[] = [];
  const n = await learnClusterNetwork(new FakeClient(), { serviceSubnet: '10.99.0.0/16' }, (m) => lines.push(m));
  assert.deepEqual(n, { podSubnet: '10.42.0.0/16', serviceSubnet: '10.99.0.0/16', dnsDomain: 'cluster.local', backend: 'vxlan' });
  assert.match(lines[0], /publishes no kube-system\/kubeadm-config/);
});

test('a malformed document names the ConfigMap and the field', async () => {
  const c = published();
  await c.update({ group: '', version: 'v1', resource: 'configmaps' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: FLANNEL_CONFIG.name, namespace: FLANNEL_CONFIG.namespace }, data: { 'net-conf.json': '{"Network":"10.52.0.0/16"}' } }, { namespace: FLANNEL_CONFIG.namespace });
  await assert.rejects(learnClusterNetwork(c, {}, () => {}), /kube-system\/kube-flannel-cfg net-conf.json: Backend.Type is missing/);
});
