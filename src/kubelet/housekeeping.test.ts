// SPDX-License-Identifier: Apache-2.0
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeRuntime } from './cri/fake-runtime.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from './cri-labels.js';
import { ContainerGC } from './container-gc.js';
import { ImageGC } from './image-gc.js';
import { ContainerLogManager, rotationStamp } from './logs/index.js';

const dir = mkdtempSync(join(tmpdir(), 'housekeeping-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function sandbox(rt: FakeRuntime, uid: string): Promise<string> {
  const logDir = join(dir, 'logs', uid);
  mkdirSync(logDir, { recursive: true });
  const { pod_sandbox_id } = await rt.runPodSandbox({ config: { metadata: { name: uid, namespace: 'default', uid, attempt: 0 }, labels: { [POD_UID_LABEL]: uid }, log_directory: logDir } });
  return pod_sandbox_id;
}

async function container(rt: FakeRuntime, sandboxId: string, uid: string, name: string, image = 'busybox:1.35', exit = true): Promise<string> {
  await sleep(3); // distinct creation times
  const { container_id } = await rt.createContainer({
    pod_sandbox_id: sandboxId,
    config: { metadata: { name, attempt: 0 }, image: { image }, labels: { [POD_UID_LABEL]: uid, [CONTAINER_NAME_LABEL]: name }, log_path: `${name}/0.log` },
    sandbox_config: { metadata: { name: uid, namespace: 'default', uid, attempt: 0 }, log_directory: join(dir, 'logs', uid) },
  });
  await rt.startContainer({ container_id });
  if (exit) rt.exitContainer(container_id, 1);
  return container_id;
}

test('container GC keeps one dead instance per container, removes all of a deleted pod and, past MaxContainers, the oldest', async () => {
  const rt = new FakeRuntime({ images: ['busybox:1.35'] });
  const known = new Set(['live']);
  const s = await sandbox(rt, 'live');
  const dead = [await container(rt, s, 'live', 'app'), await container(rt, s, 'live', 'app'), await container(rt, s, 'live', 'app')];
  const running = await container(rt, s, 'live', 'app', 'busybox:1.35', false);
  const gc = new ContainerGC({ runtime: rt, knownPods: () => known, removeOrphan: async () => undefined, log: () => undefined });
  assert.equal(await gc.collect(), 2);
  assert.deepEqual(rt.containerIds.sort(), [dead[2], running].sort(), 'the newest dead instance (for logs --previous) and the running one stay');
  assert.equal(await gc.collect(true), 1, 'under disk pressure every dead container goes');
  assert.deepEqual(rt.containerIds, [running]);
  const limited = new ContainerGC({ runtime: rt, policy: { minAgeMs: 0, maxPerPodContainer: 5, maxContainers: 1 }, knownPods: () => known, removeOrphan: async () => undefined, log: () => undefined });
  const a = await container(rt, s, 'live', 'a');
  const b = await container(rt, s, 'live', 'b');
  await limited.collect();
  assert.deepEqual(rt.containerIds.sort(), [b, running].sort(), 'MaxContainers 1 keeps only the newest dead container');
  assert.ok(!rt.containerIds.includes(a));
  const young = new ContainerGC({ runtime: rt, policy: { minAgeMs: 3_600_000, maxPerPodContainer: 0, maxContainers: -1 }, knownPods: () => known, removeOrphan: async () => undefined, log: () => undefined });
  assert.equal(await young.collect(), 0, 'containers younger than MinAge stay');
});

test('dead sandboxes without containers go; a live pod keeps its newest', async () => {
  const rt = new FakeRuntime({ images: ['busybox:1.35'] });
  const old = await sandbox(rt, 'live');
  await rt.stopPodSandbox({ pod_sandbox_id: old });
  await sleep(3);
  const current = await sandbox(rt, 'live');
  await rt.stopPodSandbox({ pod_sandbox_id: current });
  const gone = await sandbox(rt, 'deleted');
  await rt.stopPodSandbox({ pod_sandbox_id: gone });
  const gc = new ContainerGC({ runtime: rt, knownPods: () => new Set(['live']), removeOrphan: async () => undefined, log: () => undefined });
  await gc.collect();
  assert.deepEqual(rt.sandboxIds, [current]);
});

test('orphans are found from CRI labels alone: every uid the kubelet does not know is removed', async () => {
  const rt = new FakeRuntime({ images: ['busybox:1.35'] });
  await container(rt, await sandbox(rt, 'known'), 'known', 'c', 'busybox:1.35', false);
  await container(rt, await sandbox(rt, 'lost-1'), 'lost-1', 'c', 'busybox:1.35', false);
  await sandbox(rt, 'lost-2');
  const removed: string[] = [];
  const gc = new ContainerGC({ runtime: rt, knownPods: () => new Set(['known']), removeOrphan: async (uid) => void removed.push(uid), log: () => undefined });
  assert.deepEqual((await gc.removeOrphans()).sort(), ['lost-1', 'lost-2']);
  assert.deepEqual(removed.sort(), ['lost-1', 'lost-2']);
});

test('image GC: nothing below the high threshold; above it frees down to the low one, LRU first, never in use, pinned or young', async () => {
  const rt = new FakeRuntime();
  const GB = 1_000_000_000;
  rt.addImage('pause:3.9', GB);
  rt.addImage('used:1', GB);
  rt.addImage('old-unused:1', 3 * GB);
  rt.addImage('unused:2', 4 * GB);
  await container(rt, await sandbox(rt, 'p'), 'p', 'c', 'used:1');
  let now = 1_000_000;
  let available = 20 * GB;
  const gc = new ImageGC({
    runtime: rt, images: rt, pinned: ['pause:3.9'], log: () => undefined, now: () => now,
    fsStats: async () => ({ capacityBytes: 100 * GB, availableBytes: available }),
  });
  assert.equal(await gc.garbageCollect(), 0, '80% used is under the 85% high threshold');
  available = 10 * GB;
  assert.equal(await gc.garbageCollect(), 0, 'images seen for less than MinAge (2m) stay');
  now += 3 * 60_000;
  // 90% used: free 20% - 10% = 10 GB; only 7 GB are eligible (unused, unpinned).
  const freed = await gc.garbageCollect();
  assert.equal(freed, 7 * GB);
  const { images } = await rt.listImages();
  assert.deepEqual(images.map((i) => i.repo_tags[0]).sort(), ['pause:3.9', 'used:1']);
});

test('image GC stops once enough is freed, least recently used first', async () => {
  const rt = new FakeRuntime();
  const GB = 1_000_000_000;
  rt.addImage('a:1', 6 * GB);
  rt.addImage('b:1', 6 * GB);
  let now = 0;
  const gc = new ImageGC({ runtime: rt, images: rt, pinned: [], log: () => undefined, now: () => now, fsStats: async () => ({ capacityBytes: 100 * GB, availableBytes: 14 * GB }) });
  await gc.deleteUnusedImages(); // first sight of both
  now += 3 * 60_000;
  assert.equal(await gc.garbageCollect(), 6 * GB, '86% used: 6 GB frees enough to reach 80%');
  assert.equal((await rt.listImages()).images.length, 1);
});

test('log rotation: past the size the file is renamed, the runtime reopens it, old files are compressed and at most MaxFiles are kept', async () => {
  const rt = new FakeRuntime({ images: ['busybox:1.35'] });
  const uid = 'logs';
  const id = await container(rt, await sandbox(rt, uid), uid, 'c', 'busybox:1.35', false);
  const path = join(dir, 'logs', uid, 'c', '0.log');
  mkdirSync(join(dir, 'logs', uid, 'c'), { recursive: true });
  let t = Date.parse('2026-01-02T03:04:05Z');
  const m = new ContainerLogManager({ runtime: rt, policy: { maxSizeBytes: 1024, maxFiles: 3 }, log: () => undefined, now: () => new Date(t) });
  writeFileSync(path, 'x'.repeat(100));
  await m.rotateLogs();
  assert.equal(rt.calls.filter((c) => c.method === 'ReopenContainerLog').length, 0, 'a small file is left alone');
  for (let round = 0; round < 4; round++) {
    writeFileSync(path, `${round}`.repeat(2048));
    await m.rotateLogs();
    // The fake does not reopen files; a real runtime creates the new one. Write it as the runtime would.
    assert.ok(!existsSync(path));
    writeFileSync(path, '');
    t += 1000;
  }
  assert.equal(rt.calls.filter((c) => c.method === 'ReopenContainerLog').length, 4);
  const files = readdirSync(join(dir, 'logs', uid, 'c')).sort();
  assert.deepEqual(files, ['0.log', `0.log.${rotationStamp(new Date(t - 2000))}.gz`, `0.log.${rotationStamp(new Date(t - 1000))}`]);
  assert.ok(statSync(join(dir, 'logs', uid, 'c', files[1])).size < 2048, 'the older rotated file is gzip-compressed');
  assert.equal(rotationStamp(new Date('2026-01-02T03:04:05Z')), '20260102-030405');
});

test('log rotation puts the file back when the runtime cannot reopen it', async () => {
  const rt = new FakeRuntime({ images: ['busybox:1.35'] });
  const id = await container(rt, await sandbox(rt, 'reopen'), 'reopen', 'c', 'busybox:1.35', false);
  const path = join(dir, 'logs', 'reopen', 'c', '0.log');
  mkdirSync(join(dir, 'logs', 'reopen', 'c'), { recursive: true });
  writeFileSync(path, 'y'.repeat(4096));
  const m = new ContainerLogManager({ runtime: rt, policy: { maxSizeBytes: 1024, maxFiles: 5 }, log: () => undefined });
  rt.exitContainer(id, 0);
  await assert.rejects(m.rotate(id, path));
  assert.equal(statSync(path).size, 4096);
  assert.deepEqual(readdirSync(join(dir, 'logs', 'reopen', 'c')), ['0.log']);
});
