// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCriLogLine } from './cri-log.js';
import { readContainerLog } from './container-log-reader.js';
import { LogOptionsError, parseLogOptions, type LogOptions } from '../../api/kubelet/log-options.js';

const LOG = [
  '2026-01-01T00:00:01.000000001Z stdout F one',
  '2026-01-01T00:00:02.5Z stderr F two',
  '2026-01-01T00:00:03Z stdout P thr',
  '2026-01-01T00:00:03.1Z stdout F ee',
  'garbage line',
  '2026-01-01T00:00:04Z stdout F four',
  '',
].join('\n');

function logFile(content: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-log-'));
  const path = join(dir, '0.log');
  writeFileSync(path, content);
  return { dir, path };
}

async function read(path: string, opts: Partial<LogOptions>, running = async () => false): Promise<string> {
  const out: Buffer[] = [];
  await readContainerLog(path, { follow: false, previous: false, timestamps: false, ...opts }, async (b) => void out.push(b), { running, pollMs: 10 });
  return Buffer.concat(out).toString();
}

test('parseCriLogLine splits time, stream, tag and content', () => {
  const l = parseCriLogLine(Buffer.from('2026-01-01T00:00:03Z stdout P a b c'));
  assert.equal(l?.stream, 'stdout');
  assert.equal(l?.partial, true);
  assert.equal(l?.content.toString(), 'a b c');
  assert.equal(parseCriLogLine(Buffer.from('2026-01-01T00:00:03Z stdin F x')), undefined);
  assert.equal(parseCriLogLine(Buffer.from('2026-01-01T00:00:03Z stdout F'))?.content.length, 0);
});

test('the whole log: prefixes stripped, partial lines joined, malformed lines skipped', async () => {
  const { dir, path } = logFile(LOG);
  assert.equal(await read(path, {}), 'one\ntwo\nthree\nfour\n');
  assert.equal(await read(path, { timestamps: true }), '2026-01-01T00:00:01.000000001Z one\n2026-01-01T00:00:02.5Z two\n2026-01-01T00:00:03Z thr2026-01-01T00:00:03.1Z ee\n2026-01-01T00:00:04Z four\n');
  rmSync(dir, { recursive: true });
});

test('tailLines counts file lines from the end; sinceTime and limitBytes cut', async () => {
  const { dir, path } = logFile(LOG);
  assert.equal(await read(path, { tailLines: 1 }), 'four\n');
  assert.equal(await read(path, { tailLines: 3 }), 'ee\nfour\n'); // the garbage line counts as a line
  assert.equal(await read(path, { tailLines: 0 }), '');
  assert.equal(await read(path, { tailLines: 100 }), 'one\ntwo\nthree\nfour\n');
  assert.equal(await read(path, { sinceMs: Date.parse('2026-01-01T00:00:02.5Z') }), 'two\nthree\nfour\n');
  assert.equal(await read(path, { limitBytes: 6 }), 'one\ntw');
  rmSync(dir, { recursive: true });
});

test('follow picks up appended lines and a rotated file, and stops when the container stops', async () => {
  const { dir, path } = logFile('2026-01-01T00:00:01Z stdout F first\n');
  let running = true;
  const done = read(path, { follow: true }, async () => running);
  await sleep(50);
  appendFileSync(path, '2026-01-01T00:00:02Z stdout F second\n');
  await sleep(50);
  // Rotation as the kubelet does it: rename, then the runtime reopens a fresh file at the path.
  appendFileSync(path, '2026-01-01T00:00:03Z stdout F last-in-old\n');
  renameSync(path, `${path}.20260101-000003`);
  writeFileSync(path, '2026-01-01T00:00:04Z stdout F in-new\n');
  await sleep(80);
  running = false;
  assert.equal(await done, 'first\nsecond\nlast-in-old\nin-new\n');
  rmSync(dir, { recursive: true });
});

test('parseLogOptions validates as upstream', () => {
  assert.deepEqual(parseLogOptions(new URLSearchParams('follow=true&tailLines=5&timestamps=1'), 0), { follow: true, previous: false, timestamps: true, tailLines: 5 });
  assert.equal(parseLogOptions(new URLSearchParams('sinceSeconds=10'), 100_000).sinceMs, 90_000);
  assert.throws(() => parseLogOptions(new URLSearchParams('tailLines=-1')), LogOptionsError);
  assert.throws(() => parseLogOptions(new URLSearchParams('sinceSeconds=1&sinceTime=2026-01-01T00:00:00Z')), /at most one/);
  assert.throws(() => parseLogOptions(new URLSearchParams('limitBytes=0')), LogOptionsError);
});
