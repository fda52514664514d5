// SPDX-License-Identifier: Apache-2.0
/**
 * A server start, and a little work after it, logs no process warning: in
 * particular not `MaxListenersExceededWarning: ... 11 abort listeners added
 * to [AbortSignal]`, which every start logged while the controller manager's
 * ~100 informer and controller listeners shared one signal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

let s: ServerHandle;

describe('server warnings', () => {
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('logs no MaxListenersExceededWarning at start or under a little work', async () => {
    s.kubectlOk(['create', 'deployment', 'w', '--image=busybox', '--replicas=2']);
    s.kubectlOk(['create', 'configmap', 'c', '--from-literal=a=b']);
    s.kubectlOk(['get', 'all', '-A']);
    // Informers sync and controllers react within a few seconds; warnings are printed when the listener is added.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !/replicaset/i.test(s.kubectl(['get', 'rs']).stdout)) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2000));
    assert.doesNotMatch(s.logs(), /MaxListenersExceededWarning/);
    assert.doesNotMatch(s.logs(), /\(node:\d+\) \w*Warning/, `the server logged a process warning:\n${s.logs().slice(-3000)}`);
  });
});
