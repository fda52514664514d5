// SPDX-License-Identifier: Apache-2.0
/**
 * What the Endpoints and EndpointSlice controllers share: which pods back a
 * Service and on which ports (upstream pkg/controller/util/endpoint and
 * podutil.FindPort): a numeric targetPort is used as is; a named one is
 * looked up among the pod's container ports (with the same protocol), and
 * a pod without that port is left out for that port.
 */
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { isPodReady } from '../pod-status.js';
import { compareStrings } from '../../machinery/index.js';

export type ServiceObj = Omit<Service, 'metadata'> & KubeObject;
export type PodObj = Omit<Pod, 'metadata'> & KubeObject;

/** selectsPod: the Service has a selector and the pod's labels carry all of it. */
export function selectsPod(svc: ServiceObj, pod: KubeObject): boolean {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

/** EndpointCandidate is one pod the Service routes to, with its readiness. */
export interface EndpointCandidate {
  pod: PodObj;
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/**
 * candidates lists the Service's pods that have an IP and have not finished.
 * Terminating pods are kept (not ready) so EndpointSlices can report them,
 * as upstream does since the EndpointSliceTerminatingCondition became GA.
 */
export function candidates(svc: ServiceObj, pods: PodObj[]): EndpointCandidate[] {
  const out: EndpointCandidate[] = [];
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  for (const pod of pods) {
    if (!selectsPod(svc, pod)) continue;
    const ip = pod.status?.podIP;
    const phase = pod.status?.phase;
    if (!ip || phase === 'Succeeded' || phase === 'Failed') continue;
    const terminating = !!pod.metadata.deletionTimestamp;
    const serving = isPodReady(pod as Pod) || publishNotReady;
    out.push({ pod, ip, ready: serving && !terminating, serving, terminating });
  }
  return out.sort((a, b) => compareStrings(a.ip, b.ip) || compareStrings(a.pod.metadata.name ?? '', b.pod.metadata.name ?? ''));
}

/** resolvedPort is a Service port mapped onto one pod. */
export interface ResolvedPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** resolvePort maps a Service port to the pod's port, or undefined when a named targetPort is missing on the pod. */
export function resolvePort(sp: ServicePort, pod: PodObj): ResolvedPort | undefined {
  const protocol = sp.protocol ?? 'TCP';
  const target = sp.targetPort ?? sp.port;
  let port: number | undefined;
  if (typeof target === 'number') port = target;
  else if (/^\d+$/.test(target)) port = Number(target);
  else {
    for (const c of pod.spec?.containers ?? []) {
      const p = c.ports?.find((x) => x.name === target && (x.protocol ?? 'TCP') === protocol);
      if (p) {
        port = p.containerPort;
        break;
      }
    }
  }
  if (port === undefined) return undefined;
  const out: ResolvedPort = { port, protocol };
  if (sp.name) out.name = sp.name;
  if (sp.appProtocol) out.appProtocol = sp.appProtocol;
  return out;
}

/** portsFor resolves all of a Service's ports for one pod; the signature groups pods with equal port sets. */
export function portsFor(svc: ServiceObj, pod: PodObj): { ports: ResolvedPort[]; signature: string } {
  const ports: ResolvedPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const r = resolvePort(sp, pod);
    if (r) ports.push(r);
  }
  return { ports, signature: JSON.stringify(ports) };
}

/** targetRefOf is the ObjectReference to a pod that endpoints carry. */
export function targetRefOf(pod: PodObj): { kind: string; namespace: string; name: string; uid: string } {
  return { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}
