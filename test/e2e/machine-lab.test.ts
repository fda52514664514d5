// SPDX-License-Identifier: Apache-2.0
/**
 * The multi-machine lab itself (test/e2e/machines/machine-lab.ts): machines
 * talk over a switch that lives in its own network namespace, so their
 * frames never walk the host's netfilter (with br_netfilter loaded, a bridge
 * in the host's namespace would send every frame through the host's
 * iptables, which no real switch does); the host still reaches every
 * machine; a cut port isolates a machine until it is restored; cleanup
 * leaves no namespace or link behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MachineLab, machinesUnavailableReason, type Machine } from './machines/machine-lab.js';
import { waitFor } from '../harness/wait-for.js';

const skip = machinesUnavailableReason() || (spawnSync('curl', ['--version']).status !== 0 ? 'curl not available' : '');
const PORT = 8080;
let lab: MachineLab;
let a: Machine;
let b: Machine;
let countRule: string[] = [];

/** fetch gets b's page from inside a (or from the host when from is undefined); '' when it does not answer. */
function fetch(from: Machine | undefined, timeoutSec = 3): string {
  const argv = ['curl', '-s', '--max-time', String(timeoutSec), `http://${b.ip}:${PORT}/`];
  const [cmd, ...args] = from ? lab.command(from, argv) : argv;
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

/** hostCounted reads how many packets from a to b the host's raw PREROUTING saw. */
function hostCounted(): number {
  const out = execFileSync('iptables', ['-w', '-t', 'raw', '-L', 'PREROUTING', '-v', '-x', '-n'], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.includes(`machine-lab test ${lab.hostLink}`));
  assert.ok(line, 'the counting rule is in place');
  return Number(line.trim().split(/\s+/)[0]);
}

describe('machine lab', { skip: skip || undefined, timeout: 120_000 }, () => {
  before(async () => {
    lab = MachineLab.create();
    a = lab.addMachine('a');
    b = lab.addMachine('b');
    const code = `require('http').createServer((q, s) => s.end('b')).listen(${PORT}, '0.0.0.0', () => console.log('ready'))`;
    const server = lab.spawn(b, [process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      server.stdout!.once('data', () => resolve());
      server.once('exit', (c) => reject(new Error(`server in ${b.netns} exited with ${c}`)));
    });
    // A counting rule (no target) for a→b packets, scoped to this lab's addresses; removed in after().
    countRule = ['-w', '-t', 'raw', 'PREROUTING', '-s', a.ip, '-d', b.ip, '-m', 'comment', '--comment', `machine-lab test ${lab.hostLink}`];
    execFileSync('iptables', [...countRule.slice(0, 3), '-I', ...countRule.slice(3)]);
  });

  after(() => {
    if (countRule.length) spawnSync('iptables', [...countRule.slice(0, 3), '-D', ...countRule.slice(3)]);
    lab?.cleanup();
    assert.deepEqual(lab?.leftovers() ?? [], []);
  });

  it('machines talk over the switch without the host netfilter seeing their frames', () => {
    const before = hostCounted();
    for (let i = 0; i < 5; i++) assert.equal(fetch(a), 'b');
    assert.equal(hostCounted(), before, 'no frame between machines reached the host\'s iptables');
    const sysctl = '/proc/sys/net/bridge/bridge-nf-call-iptables';
    const inSwitch = execFileSync('nsenter', [`--net=/var/run/netns/${lab.switchNetns}`, 'sh', '-c', `[ -e ${sysctl} ] && cat ${sysctl} || echo absent`], { encoding: 'utf8' }).trim();
    assert.ok(inSwitch === '0' || inSwitch === 'absent', `bridge-nf-call-iptables in the switch netns: ${inSwitch}`);
  });

  it('the host reaches a machine through its link into the switch', () => {
    assert.equal(fetch(undefined), 'b');
    assert.match(execFileSync('ip', ['-o', '-4', 'addr', 'show', 'dev', lab.hostLink], { encoding: 'utf8' }), new RegExp(`inet ${lab.gateway.replace(/\./g, '\\.')}/26`));
  });

  it('a cut port isolates the machine until it is restored', async () => {
    lab.cut(a);
    try {
      assert.equal(fetch(a, 2), '', 'no answer through a pulled cable');
    } finally {
      lab.restore(a);
    }
    await waitFor('b to answer a again after restore', () => fetch(a) === 'b', 60_000);
  });

  it('a direct wire carries two machines\' traffic past the switch until it is unwired', async () => {
    const unwire = lab.wireDirect(a, b);
    lab.cut(a);
    try {
      assert.equal(fetch(a), 'b', 'a reaches b over the direct wire with its switch port down');
      assert.equal(fetch(undefined), 'b', 'the host still reaches b over the switch');
    } finally {
      unwire();
    }
    assert.equal(spawnSync('ip', ['-n', a.netns, 'link', 'show', 'direct1']).status, 1, 'the pair is gone');
    try {
      assert.equal(fetch(a, 2), '', 'unwired and cut, a is isolated again');
    } finally {
      lab.restore(a);
    }
    await waitFor('b to answer a over the switch again', () => fetch(a) === 'b', 60_000);
  });

  it('cleanup removes the switch, the machines and the host link', () => {
    const other = MachineLab.create();
    other.addMachine('x');
    assert.ok(existsSync(`/var/run/netns/${other.switchNetns}`));
    other.cleanup();
    assert.deepEqual(other.leftovers(), []);
  });
});
