// SPDX-License-Identifier: Apache-2.0
/**
 * runLifecycleHook runs a postStart or preStop handler as upstream
 * pkg/kubelet/lifecycle/handlers.go: exec through CRI ExecSync (a non-zero
 * exit fails the hook), httpGet against the pod IP (any non-2xx/3xx fails),
 * or sleep. It resolves to '' on success or to the failure message.
 */
import type { LifecycleHandler } from 'kubernetes-types/core/v1.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { runProbe, type ProbeTarget } from './prober.js';

/** runLifecycleHook runs handler within timeoutMs; returns the failure message or ''. */
export async function runLifecycleHook(handler: LifecycleHandler, t: ProbeTarget, timeoutMs: number): Promise<string> {
  if (handler.sleep) {
    await sleep(Math.min(handler.sleep.seconds * 1000, timeoutMs));
    return '';
  }
  if (handler.exec) {
    const r = await runProbe({ exec: handler.exec, timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)) }, t);
    return r.ok ? '' : `command '${(handler.exec.command ?? []).join(' ')}' exited with ${r.output.trim() || 'a non-zero code'}`;
  }
  if (handler.httpGet) {
    const r = await runProbe({ httpGet: handler.httpGet, timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)) }, t);
    return r.ok ? '' : r.output;
  }
  return '';
}
