// SPDX-License-Identifier: Apache-2.0
/**
 * The Pod table: NAME READY STATUS RESTARTS AGE, wide IP NODE NOMINATED NODE
 * READINESS GATES. STATUS, READY and RESTARTS follow upstream's printPod
 * (pkg/printers/internalversion/printers.go) step by step, because users
 * and scripts read these strings (`Init:1/2`, `CrashLoopBackOff`,
 * `Completed`, `Terminating`, `3 (5m ago)`).
 */
import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import type { TableCell } from './table.js';
import type { RowConditionsConvertor, TableRowCondition } from './row-conditions.js';
import { age, column, nameColumn, ageColumn } from './columns.js';
import { humanDuration, parseTime } from './duration.js';

/** NODE_LOST_REASON is the pod status reason the node lifecycle controller sets for pods on unreachable nodes. */
const NODE_LOST_REASON = 'NodeLost';

const columns = [
  nameColumn(),
  column('Ready', 'string', 'Ready containers out of all containers of the pod.'),
  column('Status', 'string', 'Summary of the pod phase and container states.'),
  column('Restarts', 'string', 'Container restarts, and how long ago the last one was.'),
  ageColumn(),
  column('IP', 'string', 'Primary IP address of the pod.', 1),
  column('Node', 'string', 'Node the pod is bound to.', 1),
  column('Nominated Node', 'string', 'Node the scheduler nominated for this pod after preemption.', 1),
  column('Readiness Gates', 'string', 'Readiness gates whose condition is True, out of all gates.', 1),
];

/** podSummary is what printPod derives from a pod's statuses. */
interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  /** Epoch ms of the latest finishedAt among counted restarts, or 0. */
  lastRestart: number;
}

/** podTableConvertor prints pods as upstream's printPod. */
export const podTableConvertor: RowConditionsConvertor = {
  columns,
  row(obj: KubeObject, now: Date): TableCell[] {
    const pod = obj as unknown as Pod;
    const s = summarizePod(pod);
    let restarts = String(s.restarts);
    if (s.restarts !== 0 && s.lastRestart !== 0) {
      restarts = `${s.restarts} (${humanDuration(now.getTime() - s.lastRestart)} ago)`;
    }
    return [
      pod.metadata?.name ?? '',
      `${s.ready}/${s.total}`,
      s.reason,
      restarts,
      age(obj, now),
      orNone(pod.status?.podIPs?.[0]?.ip),
      orNone(pod.spec?.nodeName),
      orNone(pod.status?.nominatedNodeName),
      readinessGates(pod),
    ];
  },
  rowConditions(obj: KubeObject): TableRowCondition[] | undefined {
    const phase = (obj as unknown as Pod).status?.phase;
    if (phase === 'Succeeded') {
      return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    }
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};

/** summarizePod computes READY, STATUS and RESTARTS exactly as upstream's printPod. */
export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  const s: PodSummary = { ready: 0, total: spec?.containers?.length ?? 0, reason: status.reason || phase, restarts: 0, lastRestart: 0 };
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    s.reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Container>();
  for (const c of spec?.initContainers ?? []) {
    initSpecs.set(c.name, c);
    if (isRestartable(c)) s.total++;
  }

  const init = summarizeInitContainers(pod, initSpecs, s);
  if (!init.initializing || hasCondition(status.conditions, 'Initialized')) {
    s.restarts = init.sidecarRestarts;
    s.lastRestart = init.sidecarLastRestart;
    summarizeContainers(status.containerStatuses ?? [], status.conditions, s);
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_LOST_REASON) {
    s.reason = 'Unknown';
  } else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') {
    s.reason = 'Terminating';
  }
  return s;
}

interface InitSummary {
  initializing: boolean;
  /** Restarts of restartable (sidecar) init containers, which keep counting after initialization. */
  sidecarRestarts: number;
  sidecarLastRestart: number;
}

/**
 * summarizeInitContainers walks init container statuses in order until the
 * first one that is neither finished successfully nor a started sidecar;
 * that one names the STATUS (`Init:<reason>` or `Init:i/n`).
 */
function summarizeInitContainers(pod: Pod, initSpecs: Map<string, Container>, s: PodSummary): InitSummary {
  const out: InitSummary = { initializing: false, sidecarRestarts: 0, sidecarLastRestart: 0 };
  const statuses = pod.status?.initContainerStatuses ?? [];
  const initCount = pod.spec?.initContainers?.length ?? 0;
  for (let i = 0; i < statuses.length; i++) {
    const cs = statuses[i]!;
    const sidecar = isRestartable(initSpecs.get(cs.name));
    s.restarts += cs.restartCount ?? 0;
    s.lastRestart = Math.max(s.lastRestart, lastTerminationTime(cs));
    if (sidecar) {
      out.sidecarRestarts += cs.restartCount ?? 0;
      out.sidecarLastRestart = Math.max(out.sidecarLastRestart, lastTerminationTime(cs));
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    // exitCode is never omitted on the wire; a missing one is Go's zero value.
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) s.ready++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        s.reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        s.reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      s.reason = `Init:${waiting.reason}`;
    } else {
      s.reason = `Init:${i}/${initCount}`;
    }
    out.initializing = true;
    break;
  }
  return out;
}

/**
 * summarizeContainers folds app container statuses into the summary. It
 * walks them last to first so the first container's waiting or terminated
 * reason wins, as upstream does.
 */
function summarizeContainers(statuses: ContainerStatus[], conditions: PodCondition[] | undefined, s: PodSummary): void {
  let hasRunning = false;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const cs = statuses[i]!;
    s.restarts += cs.restartCount ?? 0;
    s.lastRestart = Math.max(s.lastRestart, lastTerminationTime(cs));
    const waiting = cs.state?.waiting;
    const terminated = cs.state?.terminated;
    if (waiting?.reason) {
      s.reason = waiting.reason;
    } else if (terminated?.reason) {
      s.reason = terminated.reason;
    } else if (terminated) {
      s.reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
    } else if (cs.ready && cs.state?.running) {
      hasRunning = true;
      s.ready++;
    }
  }
  // A pod whose containers partly completed but one still runs is Running (or NotReady), not Completed.
  if (s.reason === 'Completed' && hasRunning) {
    s.reason = hasCondition(conditions, 'Ready') ? 'Running' : 'NotReady';
  }
}

function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function lastTerminationTime(cs: ContainerStatus): number {
  return parseTime(cs.lastState?.terminated?.finishedAt) ?? 0;
}

function hasCondition(conditions: PodCondition[] | undefined, type: 'Initialized' | 'Ready'): boolean {
  const list = conditions ?? [];
  // Upstream reads only the first Initialized condition, but any True Ready condition.
  if (type === 'Initialized') return list.find((c) => c.type === type)?.status === 'True';
  return list.some((c) => c.type === type && c.status === 'True');
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const trueCount = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${trueCount}/${gates.length}`;
}

function orNone(v: string | undefined): string {
  return v ? v : '<none>';
}
