// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAtomic } from './atomic-writer.js';

describe('writeAtomic', () => {
  it('publishes files through the ..data symlink and swaps it on change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aw-'));
    assert.equal(writeAtomic(dir, new Map([['a', { data: Buffer.from('1'), mode: 0o644 }], ['sub/b', { data: Buffer.from('2'), mode: 0o600 }]])), true);
    assert.ok(lstatSync(join(dir, 'a')).isSymbolicLink());
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(readFileSync(join(dir, 'sub', 'b'), 'utf8'), '2');
    const first = readlinkSync(join(dir, '..data'));
    assert.equal(writeAtomic(dir, new Map([['a', { data: Buffer.from('1'), mode: 0o644 }], ['sub/b', { data: Buffer.from('2'), mode: 0o600 }]])), false, 'no change, no swap');
    assert.equal(writeAtomic(dir, new Map([['a', { data: Buffer.from('new'), mode: 0o644 }]])), true);
    assert.notEqual(readlinkSync(join(dir, '..data')), first);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'new');
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')), ['a'], 'removed keys disappear');
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('..2')).length, 1, 'old payload dir removed');
  });
});
