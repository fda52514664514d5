// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cniNetworkName, containerdLayout, defaultBridgeName, renderCniConflist, renderContainerdConfig,
} from './containerd-config.js';
import { ContainerdSupervisor } from './containerd-supervisor.js';

test('every containerd path lives under the data dir', () => {
  const l = containerdLayout('/var/lib/skiff/node-a');
  for (const p of [l.configPath, l.root, l.state, l.runcRoot, l.socketPath, l.logPath, l.cniConfDir, l.ipamDir, l.optDir]) {
    assert.ok(p.startsWith('/var/lib/skiff/node-a/'), p);
  }
  assert.throws(() => containerdLayout(`/tmp/${'x'.repeat(100)}`), /too long/);
});

test('bridge and network names are unique per data dir and fit IFNAMSIZ', () => {
  const a = defaultBridgeName('/tmp/a');
  assert.match(a, /^skiff[0-9a-f]{8}$/);
  assert.ok(a.length <= 15);
  assert.notEqual(a, defaultBridgeName('/tmp/b'));
  assert.equal(a, defaultBridgeName('/tmp/a/'), 'the same dir, spelled differently, gets the same name');
  assert.notEqual(cniNetworkName('/tmp/a'), cniNetworkName('/tmp/b'));
});

test('config.toml carries the settings this machine kind needs', () => {
  const toml = renderContainerdConfig({
    layout: containerdLayout('/d'), sandboxImage: 'localhost/skiff/pause:1.0', logLevel: 'info',
    cniBinDir: '/usr/lib/cni', runcBinary: '/usr/sbin/runc',
  });
  assert.match(toml, /^root = "\/d\/containerd\/root"$/m);
  assert.match(toml, /^ {2}address = "\/d\/containerd\/containerd.sock"$/m);
  assert.match(toml, /sandbox_image = "localhost\/skiff\/pause:1.0"/);
  assert.match(toml, /restrict_oom_score_adj = true/);
  assert.match(toml, /stream_server_address = "127.0.0.1"\n {2}stream_server_port = "0"/);
  assert.match(toml, /netns_mounts_under_state_dir = true/);
  assert.match(toml, /Root = "\/d\/containerd\/runc"/);
  assert.match(toml, /conf_dir = "\/d\/cni\/net.d"/);
  assert.ok(!toml.includes('/run/containerd'), 'never the system containerd paths');
});

test('registry hosts come from a config_path under the data dir, or the one given; never credentials', () => {
  const input = { layout: containerdLayout('/d'), sandboxImage: 'p', logLevel: 'info', cniBinDir: '/c', runcBinary: '/r' };
  const toml = renderContainerdConfig(input);
  assert.match(toml, /\[plugins\."io\.containerd\.grpc\.v1\.cri"\.registry\]\n {2}config_path = "\/d\/containerd\/certs\.d"\n/);
  assert.match(renderContainerdConfig({ ...input, registryConfigPath: '/etc/skiff/certs.d' }), /config_path = "\/etc\/skiff\/certs\.d"/);
  // containerd 1.6 refuses config_path beside the deprecated mirrors/configs tables, and auth there would bypass imagePullSecrets.
  const settings = toml.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
  assert.ok(!/registry\.(configs|mirrors)|\bauth\b|password/.test(settings));
});

test('the CNI network is a bridge with host-local IPAM and portmap', () => {
  const conf = JSON.parse(renderCniConflist({ networkName: 'skiff-x', bridgeName: 'skiffx', podCIDR: '10.89.0.0/24', ipamDir: '/d/ipam' }));
  assert.equal(conf.name, 'skiff-x');
  assert.deepEqual(conf.plugins.map((p: { type: string }) => p.type), ['bridge', 'portmap']);
  assert.equal(conf.plugins[0].bridge, 'skiffx');
  assert.deepEqual(conf.plugins[0].ipam.ranges, [[{ subnet: '10.89.0.0/24' }]]);
  assert.equal(conf.plugins[0].ipam.dataDir, '/d/ipam');
});

test('the supervisor refuses a bad pod CIDR or bridge name', () => {
  assert.throws(() => new ContainerdSupervisor({ dataDir: '/tmp/x', podCIDR: '10.89.0.0' }), /podCIDR/);
  assert.throws(() => new ContainerdSupervisor({ dataDir: '/tmp/x', podCIDR: 'fd00::/64' }), /podCIDR/);
  assert.throws(() => new ContainerdSupervisor({ dataDir: '/tmp/x', podCIDR: '10.89.0.0/24', bridgeName: 'a-much-too-long-name' }), /bridge/);
  assert.equal(new ContainerdSupervisor({ dataDir: '/tmp/x', podCIDR: '10.89.0.0/24' }).socketPath, '/tmp/x/containerd/containerd.sock');
});
