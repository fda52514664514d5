/**
 * Cordon, uncordon and drain a node. Drain evicts each pod through the
 * eviction API, as `kubectl drain` does, so PodDisruptionBudgets are honoured
 * (a refused eviction is shown, not forced); DaemonSet pods stay.
 */
import { useState } from 'preact/hooks';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, get, request, type KubeObject } from '../api.js';
import { ConfirmButton, ErrorBox, Section } from '../components.js';
import { UsageCharts } from '../metrics.js';
import { quantityNumber } from '../../why/index.js';

async function drain(node: string, report: (line: string) => void): Promise<void> {
  await request('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: true } }, 'application/strategic-merge-patch+json');
  const pods = await get<{ items: Pod[] }>(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`);
  for (const pod of pods.items) {
    if (pod.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet')) continue;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const { name, namespace } = pod.metadata ?? {};
    try {
      await request('POST', `/api/v1/namespaces/${namespace}/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } });
      report(`evicted ${namespace}/${name}`);
    } catch (err) {
      report(`could not evict ${namespace}/${name}: ${err instanceof ApiError ? err.message : String(err)}`);
    }
  }
}

export function NodePanel({ node: obj }: { node: KubeObject }) {
  const node = obj as unknown as Node;
  const name = node.metadata?.name ?? '';
  const [log, setLog] = useState<string[]>([]);
  const [error, setError] = useState<Error>();
  const setUnschedulable = (v: boolean) => request('PATCH', `/api/v1/nodes/${name}`, { spec: { unschedulable: v } }, 'application/strategic-merge-patch+json').catch((e) => setError(e as Error));
  return (
    <Section title="Node" actions={
      <span>
        {node.spec?.unschedulable ? <button onClick={() => setUnschedulable(false)}>Uncordon</button> : <button onClick={() => setUnschedulable(true)}>Cordon</button>}{' '}
        <ConfirmButton label="Drain" question={`Evict every pod from ${name}?`} onConfirm={() => { setLog([]); return drain(name, (l) => setLog((prev) => [...prev, l])); }} />
      </span>
    }>
      <ErrorBox error={error} />
      <dl class="meta">
        <dt>Addresses</dt><dd>{node.status?.addresses?.map((a) => `${a.type} ${a.address}`).join(', ')}</dd>
        <dt>Pod CIDR</dt><dd>{node.spec?.podCIDR}</dd>
        <dt>Capacity</dt><dd>{node.status?.capacity?.cpu} CPU, {node.status?.capacity?.memory} memory, {node.status?.capacity?.pods} pods</dd>
        <dt>Taints</dt><dd>{(node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ') || 'none'}</dd>
        <dt>Conditions</dt><dd>{(node.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(', ')}</dd>
      </dl>
      <h3>Usage</h3>
      {/* The node list's history: the overview has been sampling it already. */}
      <UsageCharts path="/apis/metrics.k8s.io/v1beta1/nodes" name={name} limits={{ milliCPU: quantityNumber(String(node.status?.allocatable?.cpu ?? '0')) * 1000, memory: quantityNumber(String(node.status?.allocatable?.memory ?? '0')) }} />
      {log.length > 0 && <ul class="drain-log" role="log">{log.map((l) => <li>{l}</li>)}</ul>}
    </Section>
  );
}
