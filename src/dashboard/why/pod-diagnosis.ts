// SPDX-License-Identifier: Apache-2.0
/**
 * "Why is this pod not running?" in plain words, from what the API already
 * holds: the scheduler's PodScheduled condition and FailedScheduling events
 * (upstream's "0/2 nodes are available: 2 Insufficient cpu."), container
 * states (CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError),
 * probe failures (the kubelet's Unhealthy events) and the nodes' free room.
 */
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { podRequests } from '../../api/scheduling/pod-resources.js';
import { formatCPU, formatMemory, nodeRooms } from './pod-resources.js';

/** Finding is one reason, with the evidence a person would look at next. */
export interface Finding {
  title: string;
  detail: string[];
}

function eventsOf(pod: Pod, events: Event[]): Event[] {
  return events
    .filter((e) => e.involvedObject?.uid === pod.metadata?.uid || (e.involvedObject?.kind === 'Pod' && e.involvedObject?.name === pod.metadata?.name && e.involvedObject?.namespace === pod.metadata?.namespace))
    .sort((a, b) => String(b.lastTimestamp ?? b.eventTime ?? '').localeCompare(String(a.lastTimestamp ?? a.eventTime ?? '')));
}

/** pendingFindings explains an unscheduled pod: the scheduler's verdict and the room each node has against what the pod asks. */
export function pendingFindings(pod: Pod, nodes: Node[], pods: Pod[], events: Event[]): Finding[] {
  if (pod.spec?.nodeName || pod.status?.phase !== 'Pending') return [];
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const failed = eventsOf(pod, events).find((e) => e.reason === 'FailedScheduling');
  const verdict = scheduled?.message ?? failed?.message;
  const detail: string[] = [];
  if (verdict) detail.push(`The scheduler says: ${verdict}`);
  const needs = podRequests(pod);
  const rooms = nodeRooms(nodes, pods);
  if (rooms.length === 0) detail.push('The cluster has no nodes.');
  if (needs.milliCPU > 0 && rooms.length) {
    const best = rooms.reduce((a, b) => (b.free.milliCPU > a.free.milliCPU ? b : a));
    detail.push(`It needs ${formatCPU(needs.milliCPU)} CPU; the most any node has free is ${formatCPU(Math.max(0, best.free.milliCPU))} (${best.name}).`);
  }
  if (needs.memory > 0 && rooms.length) {
    const best = rooms.reduce((a, b) => (b.free.memory > a.free.memory ? b : a));
    detail.push(`It needs ${formatMemory(needs.memory)} memory; the most any node has free is ${formatMemory(Math.max(0, best.free.memory))} (${best.name}).`);
  }
  const selector = pod.spec?.nodeSelector;
  if (selector && Object.keys(selector).length) {
    const matching = nodes.filter((n) => Object.entries(selector).every(([k, v]) => n.metadata?.labels?.[k] === v));
    detail.push(`Its nodeSelector ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')} matches ${matching.length} of ${nodes.length} nodes.`);
  }
  if (!verdict && detail.length === 0) detail.push('The scheduler has not looked at it yet.');
  return [{ title: 'Pending: not scheduled on any node', detail }];
}

/** containerFindings explains containers that are waiting, crashing or not ready. */
export function containerFindings(pod: Pod, events: Event[]): Finding[] {
  const out: Finding[] = [];
  const podEvents = eventsOf(pod, events);
  for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = cs.state?.waiting;
    const last = cs.lastState?.terminated;
    if (waiting?.reason === 'CrashLoopBackOff' || (cs.restartCount > 0 && last && !cs.ready)) {
      const detail = [`It has restarted ${cs.restartCount} time${cs.restartCount === 1 ? '' : 's'}.`];
      if (last) detail.push(`Last exit: code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}${last.message ? `: ${last.message}` : ''}.`);
      if (last?.reason === 'OOMKilled') detail.push('It used more memory than its limit; raise resources.limits.memory or use less.');
      const probe = podEvents.find((e) => e.reason === 'Unhealthy' && (e.message ?? '').startsWith('Liveness'));
      if (probe) detail.push(`Liveness probe: ${probe.message}`);
      out.push({ title: `Container ${cs.name} is crash-looping`, detail });
    } else if (waiting && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
      out.push({ title: `Container ${cs.name} is waiting: ${waiting.reason}`, detail: [waiting.message ?? ''].filter(Boolean) });
    } else if (cs.state?.running && !cs.ready) {
      const probe = podEvents.find((e) => e.reason === 'Unhealthy' && (e.message ?? '').startsWith('Readiness'));
      out.push({ title: `Container ${cs.name} runs but is not Ready`, detail: [probe ? `Readiness probe: ${probe.message}` : 'Its readiness probe has not succeeded yet.'] });
    }
  }
  return out;
}

/** diagnosePod gathers every finding for one pod; an empty list means nothing looks wrong. */
export function diagnosePod(pod: Pod, nodes: Node[], pods: Pod[], events: Event[]): Finding[] {
  return [...pendingFindings(pod, nodes, pods, events), ...containerFindings(pod, events)];
}
