/**
 * Scale, restart and roll back a Deployment, and its rollout as a timeline
 * of ReplicaSet sizes. Restart and rollback do what `kubectl rollout
 * restart` and `kubectl rollout undo --to-revision` do.
 */
import { useState } from 'preact/hooks';
import type { Event } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { rolloutSteps } from '../../why/index.js';
import { request, type KubeObject } from '../api.js';
import { ConfirmButton, ErrorBox, Section } from '../components.js';
import { objectPath, type KindInfo } from '../kinds.js';
import { useLiveObjects } from '../live.js';

const DEPLOYMENTS: KindInfo = { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };
const REVISION = 'deployment.kubernetes.io/revision';

/** ScalePanel sets spec.replicas through the scale subresource, as `kubectl scale`. */
export function ScalePanel({ kind, obj }: { kind: KindInfo; obj: KubeObject }) {
  const spec = obj.spec as { replicas?: number };
  const status = obj.status as { replicas?: number; readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number } | undefined;
  const [replicas, setReplicas] = useState(String(spec.replicas ?? 1));
  const [error, setError] = useState<Error>();
  const scale = async () => {
    setError(undefined);
    try {
      await request('PATCH', `${objectPath(kind, obj.metadata.namespace, obj.metadata.name)}/scale`, { spec: { replicas: Number(replicas) } }, 'application/merge-patch+json');
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <Section title="Replicas">
      <p>{status?.readyReplicas ?? 0} ready, {status?.updatedReplicas ?? 0} up to date, {status?.availableReplicas ?? 0} available of {spec.replicas ?? 1} desired.</p>
      <label>Desired replicas <input type="number" min={0} value={replicas} onInput={(e) => setReplicas((e.currentTarget as HTMLInputElement).value)} /></label>{' '}
      <button onClick={scale}>Scale</button>
      <ErrorBox error={error} />
    </Section>
  );
}

function Timeline({ deployment }: { deployment: KubeObject }) {
  const ns = deployment.metadata.namespace ?? 'default';
  const events = useLiveObjects<KubeObject>(`/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${deployment.metadata.name}`)}`);
  const steps = rolloutSteps(deployment.metadata.name, events.items as unknown as Event[]);
  if (steps.length === 0) return <p class="hint">No rollout steps recorded yet.</p>;
  const names = [...new Set(steps.flatMap((s) => Object.keys(s.sizes)))];
  const top = Math.max(1, ...steps.flatMap((s) => Object.values(s.sizes)));
  return (
    <table class="timeline" aria-label="Rollout timeline">
      <thead><tr><th>Step</th><th>Time</th>{names.map((n) => <th>{n}</th>)}</tr></thead>
      <tbody>
        {steps.map((s, i) => (
          <tr>
            <td>{i + 1}</td><td>{s.time.replace('T', ' ').replace('Z', '')}</td>
            {names.map((n) => (
              <td class={n === s.replicaSet ? 'changed' : ''}>
                <span class="rs-bar" style={{ width: `${((s.sizes[n] ?? 0) / top) * 80}px` }} /> {s.sizes[n] ?? 0}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DeploymentPanel({ deployment }: { deployment: KubeObject }) {
  const ns = deployment.metadata.namespace ?? 'default';
  const path = objectPath(DEPLOYMENTS, ns, deployment.metadata.name);
  const replicaSets = useLiveObjects<KubeObject>(`/apis/apps/v1/namespaces/${ns}/replicasets`);
  const owned = (replicaSets.items as unknown as ReplicaSet[])
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === deployment.metadata.uid))
    .sort((a, b) => Number(b.metadata?.annotations?.[REVISION] ?? 0) - Number(a.metadata?.annotations?.[REVISION] ?? 0));
  const current = (deployment.metadata.annotations ?? {})[REVISION];
  const [error, setError] = useState<Error>();
  const restart = () => request('PATCH', path, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } }, 'application/strategic-merge-patch+json');
  const rollBack = async (rs: ReplicaSet) => {
    // As `kubectl rollout undo`: the revision's pod template without the controller's pod-template-hash label.
    const template = structuredClone(rs.spec!.template!);
    delete template.metadata?.labels?.['pod-template-hash'];
    await request('PATCH', path, [{ op: 'replace', path: '/spec/template', value: template }], 'application/json-patch+json');
  };
  return (
    <>
      <ScalePanel kind={DEPLOYMENTS} obj={deployment} />
      <Section title="Rollout" actions={<ConfirmButton label="Restart" danger={false} question="Restart every pod of this Deployment (a rolling restart)?" onConfirm={restart} />}>
        <ErrorBox error={error} />
        <Timeline deployment={deployment} />
        <h3>Revisions</h3>
        <table>
          <thead><tr><th>Revision</th><th>ReplicaSet</th><th>Images</th><th>Pods</th><th /></tr></thead>
          <tbody>
            {owned.map((rs) => {
              const rev = rs.metadata?.annotations?.[REVISION] ?? '?';
              return (
                <tr>
                  <td>{rev}{rev === current ? ' (current)' : ''}</td>
                  <td>{rs.metadata?.name}</td>
                  <td>{rs.spec?.template?.spec?.containers.map((c) => c.image).join(', ')}</td>
                  <td>{rs.status?.readyReplicas ?? 0}/{rs.spec?.replicas ?? 0}</td>
                  <td>{rev !== current && <ConfirmButton label="Roll back" danger={false} question={`Roll back to revision ${rev}?`} onConfirm={() => rollBack(rs).catch((e) => { setError(e as Error); throw e; })} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
    </>
  );
}
