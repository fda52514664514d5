// SPDX-License-Identifier: Apache-2.0
/**
 * Persistent volumes end to end: a real `skiff server` with its node agent
 * runs a pod that writes into a local-path claim; after the pod is deleted
 * a new pod mounting the same claim reads the data back; deleting the claim
 * then removes the volume directory. Skipped (with the reason) where the
 * agent cannot run: no containerd, runc or root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor as waitForShared } from '../harness/wait-for.js';

const skip = agentUnavailableReason();
const NS = 'pvt';

const waitFor = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> => waitForShared(what, fn, timeoutMs, 250);

function podUsingClaim(name: string, script: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'busybox:1.35', command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
    },
  });
}

describe('persistent volumes end to end', { skip: skip || undefined, timeout: 240_000 }, () => {
  let s: AgentServer;
  const phase = (pod: string): string => s.json<{ status: { phase?: string } }>(['pod', pod, '-n', NS]).status.phase ?? '';

  before(async () => {
    s = await startAgentServer();
    s.kubectlOk(['create', 'namespace', NS]);
    s.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: NS },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } },
    }));
  });

  after(async () => {
    await s?.stop();
  });

  it('keeps data written by one pod for the next pod that mounts the claim, and removes it with the claim', async () => {
    s.kubectlOk(['apply', '-f', '-'], podUsingClaim('writer', 'echo persisted-by-writer > /data/f; exec sleep 3600'));
    await waitFor('writer Running', () => phase('writer') === 'Running');
    const claim = s.json<{ spec: { volumeName?: string }; status: { phase?: string } }>(['pvc', 'data', '-n', NS]);
    assert.equal(claim.status.phase, 'Bound');
    const pv = s.json<{ spec: { hostPath?: { path: string } } }>(['pv', claim.spec.volumeName!]);
    const dir = pv.spec.hostPath!.path;
    assert.ok(dir.startsWith(join(s.dataDir, 'storage')), `volume under the node's data dir: ${dir}`);
    await waitFor('file written on the node', () => existsSync(join(dir, 'f')));
    assert.equal(readFileSync(join(dir, 'f'), 'utf8').trim(), 'persisted-by-writer');

    s.kubectlOk(['delete', 'pod', 'writer', '-n', NS, '--wait=true']);
    s.kubectlOk(['apply', '-f', '-'], podUsingClaim('reader', 'cp /data/f /data/seen-by-reader; exec sleep 3600'));
    await waitFor('reader Running', () => phase('reader') === 'Running');
    // The reader copies what it finds; reading the copy on the node proves the second pod saw the first one's data.
    await waitFor('reader copied the data', () => existsSync(join(dir, 'seen-by-reader')));
    assert.equal(readFileSync(join(dir, 'seen-by-reader'), 'utf8').trim(), 'persisted-by-writer');

    s.kubectlOk(['delete', 'pvc', 'data', '-n', NS, '--wait=false']);
    s.kubectlOk(['delete', 'pod', 'reader', '-n', NS, '--wait=true']);
    await waitFor('volume directory removed', () => !existsSync(dir));
  });
});
