// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FlagError, HelpRequested, nearestFlag, parseFlags, renderUsage } from './flags.js';

const spec = {
  'data-dir': { type: 'string' as const, default: '/var/lib/skiff', usage: 'where data lives' },
  'simulated-nodes': { type: 'number' as const, default: 0, usage: 'simulated nodes' },
  'cleanup-on-exit': { type: 'boolean' as const, default: false, hidden: true },
};

test('--help and -h ask for usage; an unknown flag names the nearest valid one', () => {
  assert.throws(() => parseFlags(['--help'], spec), HelpRequested);
  assert.throws(() => parseFlags(['--data-dir', 'x', '-h'], spec), HelpRequested);
  assert.throws(() => parseFlags(['--simulated-node', '2'], spec), (e: Error) => e instanceof FlagError && e.message === 'unknown flag --simulated-node; did you mean --simulated-nodes?');
  assert.throws(() => parseFlags(['--datadir=x'], spec), /did you mean --data-dir\?/);
  assert.throws(() => parseFlags(['--zzzzzzzz'], spec), (e: Error) => e.message === 'unknown flag --zzzzzzzz');
  assert.equal(nearestFlag('cleanup-on-exi', ['data-dir']), undefined, 'hidden flags are never suggested');
});

test('usage lists each visible flag with its type, meaning and default', () => {
  const text = renderUsage({ name: 'skiff server', summary: 'Run a cluster.' }, spec);
  assert.match(text, /^Run a cluster\.\n\nUsage:\n {2}skiff server \[flags\]\n/);
  assert.match(text, /--data-dir string\s+where data lives \(default "\/var\/lib\/skiff"\)/);
  assert.match(text, /--simulated-nodes int\s+simulated nodes \(default 0\)/);
  assert.match(text, /-h, --help\s+help for server/);
  assert.doesNotMatch(text, /cleanup-on-exit/);
});

test('every skiff command answers --help with its own usage and exit 0', () => {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const run = (args: string[]) => spawnSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(main)}).then((m) => m.main(process.argv.slice(1)))`, ...args], { encoding: 'utf8' });
  for (const cmd of [['server'], ['agent'], ['up'], ['down'], ['status'], ['image', 'import'], ['kubeconfig'], ['token', 'create']]) {
    const r = run([...cmd, '--help']);
    assert.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Usage:\\n  skiff ${cmd.join(' ')}`), cmd.join(' '));
    assert.match(r.stdout, /--data-dir string/);
  }
  const bad = run(['server', '--disable-agnet']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown flag --disable-agnet; did you mean --disable-agent\?/);
});
