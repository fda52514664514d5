// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeList, KubeObject, WatchEvent } from '../api/index.js';
import { R, type ListOptions, type ResourceRef, type WatchOptions } from '../client/index.js';
import { FakeClient } from '../client/fake-client.js';
import { FakeClock } from '../client/fake-clock.js';
import { isNotFound } from '../machinery/index.js';
import { WatchedObjects } from './watched-objects.js';

/** WatchRecordingClient is the fake client that also remembers each list's and watch's selection and whether the watch still runs. */
class WatchRecordingClient extends FakeClient {
  readonly lists: string[] = [];
  readonly watches: { selection: string; signal?: AbortSignal }[] = [];
  /** hold makes lists wait until the returned function is called. */
  held?: Promise<void>;

  override async list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    this.lists.push(`${ref.resource} ${opts.namespace}/${opts.fieldSelector}`);
    await this.held;
    return super.list<T>(ref, opts);
  }

  override watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions): AsyncIterable<WatchEvent<T>> {
    this.watches.push({ selection: `${ref.resource} ${opts.namespace}/${opts.fieldSelector}`, signal: opts.signal });
    return super.watch<T>(ref, opts);
  }

  running(): string[] {
    return this.watches.filter((w) => !w.signal?.aborted).map((w) => w.selection);
  }
}

const cm = (name: string, data: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data, ...extra }) as KubeObject;

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), what);
}

describe('WatchedObjects', () => {
  it('starts one name-scoped watch per object, serves reads from it, and stops it with the last reference', async () => {
    const client = new WatchRecordingClient([cm('app', { k: 'v1' }), cm('other', { k: 'x' })]);
    const changes: string[] = [];
    const objs = new WatchedObjects(client, R.configmaps, { resource: 'configmap', changed: (uids, ns, name) => changes.push(`${ns}/${name}: ${uids.join(',')}`) });
    try {
      objs.addReference('ns', 'app', 'pod-a');
      objs.addReference('ns', 'app', 'pod-b');
      objs.addReference('ns', 'app', 'pod-b');
      assert.deepEqual((await objs.get('ns', 'app')).data, { k: 'v1' });
      assert.deepEqual((await objs.get('ns', 'app')).data, { k: 'v1' });
      assert.deepEqual(client.lists, ['configmaps ns/metadata.name=app'], 'one list for three references and two reads');
      assert.equal(client.actions.filter((a) => a.verb === 'get').length, 0, 'no GET per read');
      await until(() => client.running().length === 1, 'the watch runs');
      assert.deepEqual(client.running(), ['configmaps ns/metadata.name=app']);

      await client.update(R.configmaps, cm('other', { k: 'y' }));
      await client.update(R.configmaps, cm('app', { k: 'v2' }));
      await until(() => changes.length === 1, 'the change is reported');
      assert.deepEqual(changes, ['ns/app: pod-a,pod-b'], 'only the watched object, with the pods that reference it');
      assert.deepEqual((await objs.get('ns', 'app')).data, { k: 'v2' });

      objs.deleteReference('ns', 'app', 'pod-a');
      objs.deleteReference('ns', 'app', 'pod-b');
      assert.deepEqual(client.running(), ['configmaps ns/metadata.name=app'], 'pod-b still holds a reference');
      objs.deleteReference('ns', 'app', 'pod-b');
      assert.deepEqual(client.running(), [], 'stopped with the last reference');
      assert.deepEqual(objs.watching(), []);
      await assert.rejects(objs.get('ns', 'app'), { message: 'object "ns"/"app" not registered' });
    } finally {
      objs.close();
    }
  });

  it("answers upstream's NotFound for a missing object, and reports it when it appears", async () => {
    const client = new WatchRecordingClient();
    const changes: string[][] = [];
    const objs = new WatchedObjects(client, R.configmaps, { resource: 'configmap', changed: (uids) => changes.push(uids) });
    try {
      objs.addReference('ns', 'later', 'pod-a');
      await assert.rejects(objs.get('ns', 'later'), (err: Error) => isNotFound(err) && err.message === 'configmap "later" not found');
      await until(() => client.running().length === 1, 'the watch runs');
      await client.create(R.configmaps, cm('later', { a: '1' }));
      await until(() => changes.length === 1, 'the creation is reported');
      assert.deepEqual(changes, [['pod-a']]);
      assert.deepEqual((await objs.get('ns', 'later')).data, { a: '1' });
      await client.delete(R.configmaps, 'later', { namespace: 'ns' });
      await until(() => changes.length === 2, 'the deletion is reported');
      await assert.rejects(objs.get('ns', 'later'), (err: Error) => isNotFound(err));
    } finally {
      objs.close();
    }
  });

  it('stops watching an immutable object once read and keeps serving it', async () => {
    const client = new WatchRecordingClient([cm('frozen', { k: 'v' }, { immutable: true } as Partial<KubeObject>)]);
    const objs = new WatchedObjects(client, R.configmaps, { resource: 'configmap' });
    try {
      objs.addReference('ns', 'frozen', 'pod-a');
      assert.deepEqual((await objs.get('ns', 'frozen')).data, { k: 'v' });
      await until(() => client.watches.length === 1, 'the watch was started');
      assert.deepEqual(client.running(), [], 'no watch after an immutable read');
      assert.deepEqual((await objs.get('ns', 'frozen')).data, { k: 'v' });
      assert.equal(client.lists.length, 1, 'not listed again');
    } finally {
      objs.close();
    }
  });

  it('a read waits for the first list and fails with upstream message when it takes too long', async () => {
    const client = new WatchRecordingClient([cm('slow', { k: 'v' })]);
    let release!: () => void;
    client.held = new Promise((r) => (release = r));
    const objs = new WatchedObjects(client, R.configmaps, { resource: 'configmap', syncTimeoutMs: 30 });
    // The system clock's timers do not hold the process open (a pending retry must not); the test does, while the list is held.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      objs.addReference('ns', 'slow', 'pod-a');
      await assert.rejects(objs.get('ns', 'slow'), { message: 'failed to sync configmap cache: timed out waiting for the condition' });
      const read = objs.get('ns', 'slow').catch((err: Error) => err);
      release();
      const got = await read;
      // The release may land after this read's timeout on a slow machine; the next read then finds the cache synced.
      assert.deepEqual((got instanceof Error ? await objs.get('ns', 'slow') : got).data, { k: 'v' });
    } finally {
      clearInterval(keepAlive);
      objs.close();
    }
  });

  it('stops a watch idle longer than maxIdleMs and restarts it on the next read', async () => {
    const client = new WatchRecordingClient([cm('env-only', { k: 'v' })]);
    const clock = new FakeClock();
    const objs = new WatchedObjects(client, R.configmaps, { resource: 'configmap', maxIdleMs: 60_000, clock });
    try {
      objs.addReference('ns', 'env-only', 'pod-a');
      await objs.get('ns', 'env-only');
      await until(() => client.running().length === 1, 'the watch runs');
      clock.step(60_000);
      assert.equal(client.running().length, 1, 'not idle long enough yet');
      clock.step(60_000);
      assert.deepEqual(client.running(), [], 'stopped when idle');
      assert.deepEqual(objs.watching(), []);
      await client.update(R.configmaps, cm('env-only', { k: 'v2' }));
      assert.deepEqual((await objs.get('ns', 'env-only')).data, { k: 'v2' }, 'a read restarts it with a fresh list');
      assert.equal(client.lists.length, 2);
      assert.deepEqual(objs.watching(), ['ns/env-only']);
    } finally {
      objs.close();
    }
  });
});
