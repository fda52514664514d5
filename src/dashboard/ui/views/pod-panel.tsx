/**
 * A pod's containers, probes, conditions and the "why" of anything wrong,
 * with live logs and a terminal.
 */
import type { Container, ContainerStatus, Event, Node, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { diagnosePod, quantityNumber } from '../../why/index.js';
import { UsageCharts } from '../metrics.js';
import type { KubeObject } from '../api.js';
import { Section } from '../components.js';
import { useLiveObjects } from '../live.js';
import { PodLogs } from './pod-logs.js';
import { PodTerminal } from './pod-terminal.js';

function probeText(p?: Probe): string {
  if (!p) return '';
  const how = p.httpGet ? `http-get ${p.httpGet.path ?? '/'} :${p.httpGet.port}` : p.tcpSocket ? `tcp :${p.tcpSocket.port}` : p.exec ? `exec ${p.exec.command?.join(' ')}` : p.grpc ? `grpc :${p.grpc.port}` : '?';
  return `${how} every ${p.periodSeconds ?? 10}s`;
}

function stateText(s?: ContainerStatus): string {
  if (!s) return 'not started';
  if (s.state?.running) return `Running since ${s.state.running.startedAt}`;
  if (s.state?.waiting) return `Waiting: ${s.state.waiting.reason ?? ''}`;
  if (s.state?.terminated) return `Terminated: ${s.state.terminated.reason ?? ''} (exit ${s.state.terminated.exitCode})`;
  return '';
}

/** podLimits adds up the containers' limits, when every container sets one (otherwise the pod has no ceiling). */
function podLimits(containers: Container[]): { milliCPU?: number; memory?: number } {
  const sum = (r: 'cpu' | 'memory', scale: number) => (containers.every((c) => c.resources?.limits?.[r] !== undefined)
    ? containers.reduce((n, c) => n + quantityNumber(String(c.resources?.limits?.[r])) * scale, 0)
    : undefined);
  return { milliCPU: sum('cpu', 1000), memory: sum('memory', 1) };
}

export function PodPanel({ pod: obj }: { pod: KubeObject }) {
  const pod = obj as unknown as Pod;
  const ns = pod.metadata?.namespace ?? 'default';
  const nodes = useLiveObjects<KubeObject>('/api/v1/nodes');
  const pods = useLiveObjects<KubeObject>('/api/v1/pods');
  const events = useLiveObjects<KubeObject>(`/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${pod.metadata?.name}`)}`);
  const findings = diagnosePod(pod, nodes.items as unknown as Node[], pods.items as unknown as Pod[], events.items as unknown as Event[]);
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const containers: Container[] = pod.spec?.containers ?? [];
  return (
    <>
      <Section title={`Status: ${pod.status?.phase ?? 'Unknown'}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ''}`}>
        {findings.length > 0 && (
          <div class="why" role="note" aria-label="Why">
            <h3>Why</h3>
            {findings.map((f) => <div><strong>{f.title}</strong><ul>{f.detail.map((d) => <li>{d}</li>)}</ul></div>)}
          </div>
        )}
        <table>
          <thead><tr><th>Container</th><th>Image</th><th>State</th><th>Ready</th><th>Restarts</th><th>Probes</th></tr></thead>
          <tbody>
            {containers.map((c) => {
              const s = statuses.get(c.name);
              return (
                <tr>
                  <td>{c.name}</td><td>{c.image}</td><td>{stateText(s)}</td><td>{s?.ready ? 'yes' : 'no'}</td><td>{s?.restartCount ?? 0}</td>
                  <td>{[c.startupProbe && `startup: ${probeText(c.startupProbe)}`, c.livenessProbe && `liveness: ${probeText(c.livenessProbe)}`, c.readinessProbe && `readiness: ${probeText(c.readinessProbe)}`].filter(Boolean).join('; ')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <h3>Conditions</h3>
        <ul class="conditions">{(pod.status?.conditions ?? []).map((c) => <li class={c.status === 'True' ? 'ok' : 'bad'}>{c.type}: {c.status}{c.reason ? ` (${c.reason})` : ''}{c.message ? ` — ${c.message}` : ''}</li>)}</ul>
        <p>Pod IP {pod.status?.podIP ?? '—'}, QoS {pod.status?.qosClass ?? '—'}</p>
      </Section>
      {pod.status?.phase === 'Running' && (
        <Section title="Usage">
          <UsageCharts path={`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods/${pod.metadata?.name}`} name={pod.metadata?.name ?? ''} limits={podLimits(containers)} />
        </Section>
      )}
      {pod.spec?.nodeName && <PodLogs namespace={ns} pod={pod.metadata?.name ?? ''} containers={containers.map((c) => c.name)} />}
      {pod.status?.phase === 'Running' && <PodTerminal namespace={ns} pod={pod.metadata?.name ?? ''} containers={containers.map((c) => c.name)} />}
    </>
  );
}
