// SPDX-License-Identifier: Apache-2.0
/**
 * A SIGKILLed server must not lose an acknowledged write. A child process
 * writes in a loop and prints each revision after its write returned; the
 * parent kills it mid-stream, reopens the file and checks every printed
 * write is there (WAL with synchronous=NORMAL, see sqlite-schema.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from './sqlite-store.js';

const storeModule = new URL('./sqlite-store.js', import.meta.url).href;

/**
 * The child runs `writers` loops at once (argv[2]); each creates its keys,
 * then updates them, forever, so concurrent writes share group commits.
 * One line per acknowledged write: "revision key value".
 */
const writerSource = `
import { SqliteStore } from ${JSON.stringify(storeModule)};
const store = SqliteStore.open({ path: process.argv[1], compactIntervalMs: 0 });
async function writer(w) {
  for (let i = 0; ; i++) {
    const key = '/registry/configmaps/default/cm' + w + '-' + (i % 50);
    const value = JSON.stringify({ i, pad: 'x'.repeat(i % 300) });
    const cur = await store.get(key);
    const kv = cur ? await store.update(key, value, cur.modRevision) : await store.create(key, value);
    // Wait until the line is handed to the pipe: it is the acknowledgement,
    // and waiting lets the event loop flush stdout when the reader is slow.
    await new Promise((resolve) => process.stdout.write(kv.modRevision + ' ' + key + ' ' + value + '\\n', resolve));
  }
}
await Promise.all(Array.from({ length: Number(process.argv[2]) }, (_, w) => writer(w)));
`;

interface Ack {
  revision: number;
  key: string;
  value: string;
}

/** runAndKill starts the writer, SIGKILLs it once `count` writes are acknowledged, and returns every acknowledged write. */
function runAndKill(dbPath: string, count: number, writers: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', writerSource, dbPath, String(writers)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [revision, key, value] = line.split(' ', 3) as [string, string, string];
        acks.push({ revision: Number(revision), key, value });
      }
      if (acks.length >= count) child.kill('SIGKILL');
    });
    // Never leave the writer running, whatever happens to this test.
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${stderr}`));
      else if (acks.length < count) reject(new Error(`writer acknowledged only ${acks.length} writes in 30 s`));
      else resolve(acks);
    });
  });
}

async function checkSurvivesKill(writers: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-durability-'));
  try {
    const dbPath = join(dir, 'state.db');
    const acks = await runAndKill(dbPath, 2_000, writers);
    assert.ok(acks.length >= 2_000);
    const store = SqliteStore.open({ path: dbPath, compactIntervalMs: 0 });
    try {
      const newest = new Map<string, Ack>();
      for (const ack of acks) newest.set(ack.key, ack);
      // Concurrent writers print in the order their promises settled: the newest is the largest.
      const last = Math.max(...acks.map((a) => a.revision));
      assert.ok((await store.currentRevision()) >= last);
      for (const ack of newest.values()) {
        const kv = await store.get(ack.key);
        assert.ok(kv, `acknowledged key ${ack.key} is missing`);
        // The writer may have committed one more write it never printed.
        assert.ok(kv.modRevision >= ack.revision, `${ack.key} went back from ${ack.revision} to ${kv.modRevision}`);
        if (kv.modRevision === ack.revision) assert.equal(kv.value, ack.value);
      }
      // Each acknowledged revision is in the log, with the value printed for it.
      const { items } = await store.list({ prefix: '/registry/configmaps/', revision: last });
      const atLast = new Map(items.map((i) => [i.key, i]));
      for (const ack of newest.values()) assert.deepEqual([atLast.get(ack.key)?.modRevision, atLast.get(ack.key)?.value], [ack.revision, ack.value]);
      const before = await store.currentRevision();
      const next = await store.create('/registry/configmaps/default/after-restart', '{}');
      assert.ok(next.modRevision > before && next.modRevision > last, `revision ${next.modRevision} after restart at ${before}`);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every acknowledged write survives SIGKILL and revisions continue after it', { timeout: 60_000 }, () => checkSurvivesKill(1));

test('every acknowledged write of concurrent writers (group commits) survives SIGKILL', { timeout: 60_000 }, () => checkSurvivesKill(20));
