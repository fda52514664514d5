/**
 * One object, live: its summary, what its kind adds (pod logs and terminal,
 * deployment scaling and rollout history, service endpoints, node cordon),
 * its events, YAML editing and deletion. A deleted object says so.
 */
import { request, type KubeObject } from '../api.js';
import { ConfirmButton, ErrorBox, LiveBadge, Section, age } from '../components.js';
import { collectionPath, objectPath, type KindInfo } from '../kinds.js';
import { useLiveObjects } from '../live.js';
import { navigate, href } from '../router.js';
import { kindKey } from '../kinds.js';
import { YamlEditor } from './yaml-editor.js';
import { PodPanel } from './pod-panel.js';
import { DeploymentPanel, ScalePanel } from './deployment-panel.js';
import { ServicePanel } from './service-panel.js';
import { IngressPanel } from './ingress-panel.js';
import { NodePanel } from './node-panel.js';
import { SecretPanel } from './secret-panel.js';
import { ConfigMapPanel } from './configmap-panel.js';
import type { Event } from 'kubernetes-types/core/v1.js';

function KindPanel({ kind, obj }: { kind: KindInfo; obj: KubeObject }) {
  switch (`${kind.group}/${kind.plural}`) {
    case '/pods': return <PodPanel pod={obj} />;
    case 'apps/deployments': return <DeploymentPanel deployment={obj} />;
    case 'apps/statefulsets':
    case 'apps/replicasets': return <ScalePanel kind={kind} obj={obj} />;
    case '/services': return <ServicePanel service={obj} />;
    case 'networking.k8s.io/ingresses': return <IngressPanel ingress={obj} />;
    case '/nodes': return <NodePanel node={obj} />;
    case '/secrets': return <SecretPanel secret={obj} />;
    case '/configmaps': return <ConfigMapPanel configMap={obj} />;
    default: return null;
  }
}

function ObjectEvents({ obj }: { obj: KubeObject }) {
  const ns = obj.metadata.namespace;
  const events = useLiveObjects<KubeObject>(`${ns ? `/api/v1/namespaces/${ns}` : '/api/v1'}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${obj.metadata.name}`)}`);
  const list = (events.items as unknown as Event[])
    .filter((e) => !obj.metadata.uid || !e.involvedObject.uid || e.involvedObject.uid === obj.metadata.uid)
    .sort((a, b) => String(b.lastTimestamp ?? b.eventTime ?? '').localeCompare(String(a.lastTimestamp ?? a.eventTime ?? '')));
  return (
    <Section title="Events" actions={<LiveBadge state={events.state} error={events.error} />}>
      {list.length === 0 ? <p class="hint">No events.</p> : (
        <table class="events">
          <thead><tr><th>Age</th><th>Type</th><th>Reason</th><th>Message</th><th>Count</th></tr></thead>
          <tbody>{list.map((e) => <tr class={e.type === 'Warning' ? 'warn' : ''}><td>{age(String(e.lastTimestamp ?? e.eventTime ?? ''))}</td><td>{e.type}</td><td>{e.reason}</td><td>{e.message}</td><td>{e.count ?? 1}</td></tr>)}</tbody>
        </table>
      )}
    </Section>
  );
}

export function ObjectPage({ kind, namespace, name }: { kind: KindInfo; namespace?: string; name: string }) {
  const live = useLiveObjects<KubeObject>(`${collectionPath(kind, namespace ?? '')}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`);
  const obj = live.items[0];
  const title = `${kind.kind} ${namespace ? `${namespace}/` : ''}${name}`;
  if (!obj) {
    return (
      <Section title={title} actions={<LiveBadge state={live.state} error={live.error} />}>
        {live.state === 'loading' ? <p>Loading…</p> : <p class="gone" role="alert">This {kind.kind} does not exist (any more). It may have been deleted. <a href={href('list', kindKey(kind))}>Back to the list</a></p>}
        <ErrorBox error={live.error} />
      </Section>
    );
  }
  const m = obj.metadata;
  return (
    <div class="object-page">
      <Section title={title} actions={<><LiveBadge state={live.state} error={live.error} />{' '}
        <ConfirmButton label="Delete" question={`Delete ${kind.kind} ${name}?`} onConfirm={async () => {
          await request('DELETE', objectPath(kind, namespace, name));
          navigate(href('list', kindKey(kind)));
        }} /></>}>
        <dl class="meta">
          <dt>Created</dt><dd>{m.creationTimestamp} ({age(m.creationTimestamp)} ago)</dd>
          {m.deletionTimestamp && <><dt>Deleting</dt><dd>since {m.deletionTimestamp}</dd></>}
          <dt>Labels</dt><dd>{Object.entries(m.labels ?? {}).map(([k, v]) => <code class="label">{k}={v}</code>)}</dd>
          {m.ownerReferences?.length ? <><dt>Owned by</dt><dd>{m.ownerReferences.map((o) => `${o.kind}/${o.name}`).join(', ')}</dd></> : null}
        </dl>
      </Section>
      <KindPanel kind={kind} obj={obj} />
      <ObjectEvents obj={obj} />
      <YamlEditor kind={kind} obj={obj} />
    </div>
  );
}
