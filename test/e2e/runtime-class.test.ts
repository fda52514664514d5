// SPDX-License-Identifier: Apache-2.0
/**
 * RuntimeClass handlers end to end on a real `skiff server` with its node
 * agent: the kubelet passes a pod's RuntimeClass handler to containerd's
 * RunPodSandbox as runtime_handler, as upstream's kuberuntime does. A class
 * with handler `runc` (the runtime Skiff's containerd config has) runs the
 * pod; a handler containerd does not know fails the sandbox, which the
 * kubelet reports as a FailedCreatePodSandBox event with containerd's
 * message. Needs root, containerd, runc, CNI plugins and kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { waitFor } from '../harness/wait-for.js';

const skip = agentUnavailableReason();
const NS = 'runtimeclass-e2e';

const runtimeClass = (name: string, handler: string) => JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler });
const pod = (name: string, runtimeClassName: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
  spec: { runtimeClassName, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.35', command: ['sleep', '3600'] }] },
});

interface EventJSON {
  reason?: string;
  message?: string;
  involvedObject?: { name?: string };
}

describe('RuntimeClass handlers on a real node', { skip: skip || undefined, timeout: 300_000 }, () => {
  let s: AgentServer | undefined;

  before(async () => {
    s = await startAgentServer();
    s.kubectlOk(['create', 'namespace', NS]);
  });
  after(async () => {
    await s?.stop();
  });

  it('a pod whose class names the runc handler runs', async () => {
    s!.kubectlOk(['apply', '-f', '-'], runtimeClass('runc', 'runc'));
    s!.kubectlOk(['apply', '-f', '-'], pod('with-runc', 'runc'));
    await waitFor('with-runc Running', () => s!.kubectlOk(['get', 'pod', 'with-runc', '-n', NS, '-o', 'jsonpath={.status.phase}']) === 'Running', 120_000, 500);
  });

  it('a handler containerd does not know fails the sandbox with a FailedCreatePodSandBox event', async () => {
    s!.kubectlOk(['apply', '-f', '-'], runtimeClass('unknown-runtime', 'no-such-handler'));
    s!.kubectlOk(['apply', '-f', '-'], pod('with-unknown', 'unknown-runtime'));
    const event = await waitFor('FailedCreatePodSandBox', () => {
      const list = s!.json<{ items: EventJSON[] }>(['events', '-n', NS]);
      return list.items.find((e) => e.involvedObject?.name === 'with-unknown' && e.reason === 'FailedCreatePodSandBox');
    }, 120_000, 500);
    assert.match(event.message ?? '', /^Failed to create pod sandbox: .*no runtime for "no-such-handler" is configured/);
    assert.notEqual(s!.kubectlOk(['get', 'pod', 'with-unknown', '-n', NS, '-o', 'jsonpath={.status.phase}']), 'Running');
  });
});
