/**
 * The cluster at a glance: nodes with capacity, requests and usage; pods by
 * phase; recent Warning events. All live. The first paint draws the pods from
 * their Table without objects (counts per node, phases estimated from kubectl's
 * STATUS, see why/pod-table-summary.ts), read first; the full list, read just
 * after it, gives the exact phases and the requests, and keeps them live.
 */
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { formatCPU, formatMemory, nodeRooms, summarizePodTable } from '../../why/index.js';
import { Bar, LiveBadge, Section, age } from '../components.js';
import { useLiveObjects, useLiveObjectsWithPreview } from '../live.js';
import { Sparkline, useUsageHistory } from '../metrics.js';
import { href } from '../router.js';
import type { KubeObject } from '../api.js';

const PHASES = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'];

export function Overview({ namespace }: { namespace: string }) {
  const nodes = useLiveObjects<KubeObject>('/api/v1/nodes');
  const { live: pods, preview } = useLiveObjectsWithPreview<KubeObject>('/api/v1/pods', namespace ? `/api/v1/namespaces/${namespace}/pods` : '/api/v1/pods');
  const estimate = preview && summarizePodTable(preview.columnDefinitions, preview.rows);
  const warnings = useLiveObjects<KubeObject>(`${namespace ? `/api/v1/namespaces/${namespace}` : '/api/v1'}/events?fieldSelector=type%3DWarning`);
  const metrics = useUsageHistory('/apis/metrics.k8s.io/v1beta1/nodes');
  const podList = pods.items as unknown as Pod[];
  // Requests are known once the full list is in (or could not be read: then the badge says why).
  const known = pods.state !== 'loading';
  const rooms = nodeRooms(nodes.items as unknown as Node[], podList);
  const inNamespace = podList.filter((p) => !namespace || p.metadata?.namespace === namespace);
  let byPhase = new Map<string, number>();
  const podsOnNode = new Map<string, number>();
  for (const p of inNamespace) byPhase.set(p.status?.phase ?? 'Unknown', (byPhase.get(p.status?.phase ?? 'Unknown') ?? 0) + 1);
  for (const p of podList) if (p.spec?.nodeName) podsOnNode.set(p.spec.nodeName, (podsOnNode.get(p.spec.nodeName) ?? 0) + 1);
  if (estimate) byPhase = estimate.byPhase;
  const events = (warnings.items as unknown as Event[])
    .sort((a, b) => String(b.lastTimestamp ?? b.eventTime ?? '').localeCompare(String(a.lastTimestamp ?? a.eventTime ?? '')))
    .slice(0, 20);
  return (
    <div class="overview">
      <Section title="Nodes" actions={<LiveBadge state={nodes.state} error={nodes.error} />}>
        {rooms.map((room) => {
          const node = (nodes.items as unknown as Node[]).find((n) => n.metadata?.name === room.name);
          const ready = node?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
          const samples = metrics.samples.get(room.name) ?? [];
          const now = samples[samples.length - 1];
          return (
            <div class="node-card">
              <h3><a href={href('object', 'nodes', room.name)}>{room.name}</a> <span class={ready ? 'badge ok' : 'badge bad'}>{ready ? 'Ready' : 'NotReady'}</span>{node?.spec?.unschedulable && <span class="badge warn">cordoned</span>}</h3>
              {!estimate && pods.state === 'live' && !namespace && <p class="node-pods">{podsOnNode.get(room.name) ?? 0} pods</p>}
              {estimate && !namespace && <p class="node-pods">{estimate.byNode.get(room.name) ?? 0} pods</p>}
              <Bar label="CPU" used={now?.milliCPU} requested={known ? room.requested.milliCPU : undefined} total={room.allocatable.milliCPU} format={formatCPU} />
              <Bar label="Memory" used={now?.memory} requested={known ? room.requested.memory : undefined} total={room.allocatable.memory} format={formatMemory} />
              <div class="charts">
                <Sparkline values={samples.map((s) => s.milliCPU)} max={room.allocatable.milliCPU} label={`CPU usage of ${room.name} over the last minutes`} />
                <Sparkline values={samples.map((s) => s.memory)} max={room.allocatable.memory} label={`Memory usage of ${room.name} over the last minutes`} />
              </div>
            </div>
          );
        })}
        {rooms.length === 0 && nodes.state === 'live' && <p class="hint">No nodes.</p>}
        {!metrics.available && <p class="hint">Usage is not available (metrics.k8s.io did not answer); bars show requests.</p>}
      </Section>
      <Section title={`Pods${namespace ? ` in ${namespace}` : ''}`} actions={<LiveBadge state={pods.state} error={pods.error} />}>
        <ul class="phases" aria-label="Pods by phase" aria-busy={estimate ? true : undefined}>
          {PHASES.map((p) => <li class={`phase-${p.toLowerCase()}`}><strong>{byPhase.get(p) ?? 0}</strong> {p}</li>)}
        </ul>
        {estimate && <p class="hint">Phases estimated from each pod's status; exact phases and requests are being read.</p>}
        <p><a href={href('list', 'pods')}>All pods</a></p>
      </Section>
      <Section title="Recent warnings" actions={<LiveBadge state={warnings.state} error={warnings.error} />}>
        {events.length === 0 ? <p class="hint">No warnings.</p> : (
          <table class="events">
            <thead><tr><th>Age</th><th>Object</th><th>Reason</th><th>Message</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr>
                  <td>{age(String(e.lastTimestamp ?? e.eventTime ?? ''))}</td>
                  <td>{e.involvedObject.kind}/{e.involvedObject.name}</td>
                  <td>{e.reason}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
