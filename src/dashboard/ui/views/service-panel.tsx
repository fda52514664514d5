/** A Service's endpoints and the addresses that reach it, and why it may not. */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { diagnoseService, serviceReach } from '../../why/index.js';
import { ReachList } from './reach-list.js';
import type { KubeObject } from '../api.js';
import { Section } from '../components.js';
import { useLiveObjects } from '../live.js';

export function ServicePanel({ service: obj }: { service: KubeObject }) {
  const svc = obj as unknown as Service;
  const ns = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const slices = useLiveObjects<KubeObject>(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${name}`)}`);
  const pods = useLiveObjects<KubeObject>(`/api/v1/namespaces/${ns}/pods`);
  const findings = diagnoseService(svc, pods.items as unknown as Pod[]);
  const endpoints = (slices.items as unknown as EndpointSlice[]).flatMap((s) => s.endpoints.map((e) => ({ e, ports: s.ports ?? [] })));
  const nodes = useLiveObjects<KubeObject>(svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer' ? '/api/v1/nodes' : undefined);
  const reach = serviceReach(svc, nodes.items as unknown as Node[]);
  return (
    <Section title={`Service: ${svc.spec?.type ?? 'ClusterIP'}`}>
      {findings.length > 0 && (
        <div class="why" role="note" aria-label="Why">
          <h3>Why</h3>
          {findings.map((f) => <div><strong>{f.title}</strong><ul>{f.detail.map((d) => <li>{d}</li>)}</ul></div>)}
        </div>
      )}
      <h3>Reach it at</h3>
      <ReachList reach={reach} label={`Addresses of ${name}`} />
      <h3>Endpoints</h3>
      {endpoints.length === 0 ? <p class="hint">No endpoints.</p> : (
        <table aria-label={`Endpoints of ${name}`}>
          <thead><tr><th>Address</th><th>Ready</th><th>Pod</th><th>Node</th><th>Ports</th></tr></thead>
          <tbody>{endpoints.map(({ e, ports }) => <tr><td>{e.addresses.join(', ')}</td><td>{e.conditions?.ready ? 'yes' : 'no'}</td><td>{e.targetRef?.name}</td><td>{e.nodeName}</td><td>{ports.map((p) => `${p.name ? `${p.name}:` : ''}${p.port}`).join(', ')}</td></tr>)}</tbody>
        </table>
      )}
    </Section>
  );
}
