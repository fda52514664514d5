// SPDX-License-Identifier: Apache-2.0
/**
 * "Why can't I reach this Service?": the mistakes that leave a Service with
 * no endpoints, found the way the endpoints controller would find them: a
 * selector that matches no pod, matching pods that are not Ready, a
 * targetPort that no matching container declares (named ports must resolve).
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Finding } from './pod-diagnosis.js';

function selects(selector: Record<string, string>, pod: Pod): boolean {
  return Object.entries(selector).every(([k, v]) => pod.metadata?.labels?.[k] === v);
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** diagnoseService lists what keeps traffic from reaching the Service's pods. */
export function diagnoseService(svc: Service, pods: Pod[]): Finding[] {
  const selector = svc.spec?.selector;
  if (svc.spec?.type === 'ExternalName') return [];
  if (!selector || Object.keys(selector).length === 0) {
    return [{ title: 'No selector', detail: ['This Service selects no pods; its Endpoints are managed by hand.'] }];
  }
  const text = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const ns = svc.metadata?.namespace;
  const matched = pods.filter((p) => p.metadata?.namespace === ns && selects(selector, p) && !p.metadata?.deletionTimestamp);
  if (matched.length === 0) {
    const near = pods.filter((p) => p.metadata?.namespace === ns && Object.keys(selector).some((k) => p.metadata?.labels?.[k] !== undefined));
    const hint = near.length ? ` Pods with some of these label keys: ${near.slice(0, 3).map((p) => `${p.metadata?.name} (${Object.entries(p.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')})`).join('; ')}.` : '';
    return [{ title: 'The selector matches no pod', detail: [`No pod in ${ns} has labels ${text}.${hint}`] }];
  }
  const out: Finding[] = [];
  const ready = matched.filter(isReady);
  if (ready.length === 0) out.push({ title: 'No matching pod is Ready', detail: [`${matched.length} pod(s) match ${text}, none Ready, so the Service has no endpoints to send traffic to.`] });
  for (const port of svc.spec?.ports ?? []) {
    const target = port.targetPort ?? port.port;
    const declared = matched.flatMap((p) => p.spec?.containers.flatMap((c) => c.ports ?? []) ?? []);
    if (typeof target === 'string' && !declared.some((cp) => cp.name === target)) {
      out.push({ title: `Port ${port.name ?? port.port}: named targetPort "${target}" not found`, detail: ['No matching pod has a container port with that name, so this port has no endpoints.'] });
    } else if (typeof target === 'number' && declared.length > 0 && !declared.some((cp) => cp.containerPort === target)) {
      const have = [...new Set(declared.map((cp) => cp.containerPort))].join(', ');
      out.push({ title: `Port ${port.name ?? port.port}: targetPort ${target} is not a declared container port`, detail: [`The pods declare ${have}; traffic goes to ${target} anyway, where nothing may listen.`] });
    }
  }
  return out;
}
