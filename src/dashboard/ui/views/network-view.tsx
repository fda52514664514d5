/**
 * Services and Ingresses of a namespace on one page: each Service with its
 * ready endpoints and the URLs that reach it from outside (NodePort on each
 * node, load balancer, external IPs), each Ingress with its hosts and paths.
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { ingressReach, serviceReach } from '../../why/index.js';
import type { KubeObject } from '../api.js';
import { ErrorBox, LiveBadge, Section } from '../components.js';
import { useLiveObjects } from '../live.js';
import { href } from '../router.js';
import { ReachList } from './reach-list.js';

const scoped = (namespace: string, group: string, plural: string) => `${group}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${plural}`;

export function NetworkView({ namespace }: { namespace: string }) {
  const services = useLiveObjects<KubeObject>(scoped(namespace, '/api/v1', 'services'));
  const slices = useLiveObjects<KubeObject>(scoped(namespace, '/apis/discovery.k8s.io/v1', 'endpointslices'));
  const ingresses = useLiveObjects<KubeObject>(scoped(namespace, '/apis/networking.k8s.io/v1', 'ingresses'));
  const nodes = useLiveObjects<KubeObject>('/api/v1/nodes');
  const nodeList = nodes.items as unknown as Node[];
  const endpointsOf = (svc: Service) => {
    const mine = (slices.items as unknown as EndpointSlice[]).filter((s) => s.metadata?.namespace === svc.metadata?.namespace && s.metadata?.labels?.['kubernetes.io/service-name'] === svc.metadata?.name);
    const all = mine.flatMap((s) => s.endpoints ?? []);
    return { ready: all.filter((e) => e.conditions?.ready !== false).length, total: all.length, addresses: all.flatMap((e) => e.addresses) };
  };
  const byName = <T extends { metadata?: { namespace?: string; name?: string } }>(a: T, b: T) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`);
  const where = namespace ? ` in ${namespace}` : ' in all namespaces';
  return (
    <div class="network">
      <Section title={`Services${where}`} actions={<LiveBadge state={services.state} error={services.error} />}>
        <ErrorBox error={services.error?.code === 403 ? services.error : undefined} />
        <table aria-label="Services">
          <thead><tr><th>Name</th><th>Type</th><th>Endpoints</th><th>Reach it at</th></tr></thead>
          <tbody>
            {(services.items as unknown as Service[]).sort(byName).map((svc) => {
              const ep = endpointsOf(svc);
              const ns = svc.metadata?.namespace ?? '';
              return (
                <tr>
                  <td><a href={href('object', 'services', ns, svc.metadata?.name ?? '')}>{namespace ? '' : `${ns}/`}{svc.metadata?.name}</a></td>
                  <td>{svc.spec?.type ?? 'ClusterIP'}</td>
                  <td>{svc.spec?.selector || ep.total ? <>{ep.ready}/{ep.total} ready{ep.addresses.length ? <div class="hint">{ep.addresses.slice(0, 4).join(', ')}{ep.addresses.length > 4 ? ` and ${ep.addresses.length - 4} more` : ''}</div> : null}</> : 'no selector'}</td>
                  <td><ReachList reach={serviceReach(svc, nodeList)} label={`Addresses of ${svc.metadata?.name}`} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
      <Section title={`Ingresses${where}`} actions={<LiveBadge state={ingresses.state} error={ingresses.error} />}>
        <ErrorBox error={ingresses.error?.code === 403 ? ingresses.error : undefined} />
        {ingresses.items.length === 0 ? <p class="hint">No Ingresses.</p> : (
          <table aria-label="Ingresses">
            <thead><tr><th>Name</th><th>Address</th><th>Hosts and paths</th></tr></thead>
            <tbody>
              {(ingresses.items as unknown as Ingress[]).sort(byName).map((ing) => {
                const ns = ing.metadata?.namespace ?? '';
                return (
                  <tr>
                    <td><a href={href('object', 'networking.k8s.io.ingresses', ns, ing.metadata?.name ?? '')}>{namespace ? '' : `${ns}/`}{ing.metadata?.name}</a></td>
                    <td>{(ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname).join(', ') || '—'}</td>
                    <td><ReachList reach={ingressReach(ing)} label={`Rules of ${ing.metadata?.name}`} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
