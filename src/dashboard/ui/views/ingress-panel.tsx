/** An Ingress's hosts and paths as URLs (https where its TLS covers the host), and the backends they lead to. */
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { ingressReach } from '../../why/index.js';
import type { KubeObject } from '../api.js';
import { Section } from '../components.js';
import { ReachList } from './reach-list.js';

export function IngressPanel({ ingress: obj }: { ingress: KubeObject }) {
  const ing = obj as unknown as Ingress;
  const addresses = (ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname).filter(Boolean);
  return (
    <Section title="Ingress">
      <dl class="meta">
        <dt>Class</dt><dd>{ing.spec?.ingressClassName ?? 'default'}</dd>
        <dt>Address</dt><dd>{addresses.join(', ') || 'not yet served'}</dd>
        <dt>TLS</dt><dd>{(ing.spec?.tls ?? []).map((t) => `${(t.hosts ?? ['(default)']).join(', ')} with secret ${t.secretName ?? '(default)'}`).join('; ') || 'none'}</dd>
      </dl>
      <h3>Rules</h3>
      <ReachList reach={ingressReach(ing)} label={`Rules of ${ing.metadata?.name}`} />
    </Section>
  );
}
