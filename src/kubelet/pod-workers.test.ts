// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PodWorkers } from './pod-workers.js';
import type { SyncResult } from './pod-sync.js';

function pod(uid: string): Pod {
  return { metadata: { name: uid, namespace: 'default', uid }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } };
}

// settled waits until queued syncs (promise chains) have run.
const settled = () => new Promise((r) => setImmediate(r));

function workers(result: (p: Pod) => SyncResult) {
  const calls: string[] = [];
  const w = new PodWorkers({
    sync: async (p) => {
      calls.push(`sync ${p.metadata?.uid}`);
      return result(p);
    },
    removed: async (p) => void calls.push(`removed ${p.metadata?.uid}`),
    log: () => undefined,
  });
  return { w, calls };
}

describe('PodWorkers', () => {
  it('a pod removed from the API without the kubelet gets one final removal', async () => {
    const { w, calls } = workers(() => ({}));
    w.update(pod('a'));
    await settled();
    w.remove(pod('a'));
    await settled();
    assert.deepEqual(calls, ['sync a', 'removed a']);
    assert.deepEqual(w.uids(), []);
  });

  it('a pod its own sync terminated and deleted is not torn down again when its deletion arrives', async () => {
    const { w, calls } = workers(() => ({ deleted: true }));
    w.update(pod('b'));
    await settled();
    // Updates after the kubelet's delete (the object's last changes) start nothing.
    w.update({ ...pod('b'), metadata: { ...pod('b').metadata, labels: { late: 'update' } } });
    await settled();
    w.remove(pod('b'));
    await settled();
    assert.deepEqual(calls, ['sync b']);
    assert.deepEqual(w.uids(), []);
  });
});
