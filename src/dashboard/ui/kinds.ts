/**
 * The kinds the dashboard lists, by section, with where their collection
 * lives. Custom resources are added at run time from their CRDs.
 */

export interface KindInfo {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** title names the kind's list (`Ingresses`); custom resources use their kind + s. */
  title?: string;
}

// English plurals of the listed kinds (the resource names are lower-case).
const TITLES: Record<string, string> = { ingresses: 'Ingresses', networkpolicies: 'NetworkPolicies', storageclasses: 'StorageClasses', endpoints: 'Endpoints' };

const k = (kind: string, group: string, version: string, plural: string, namespaced = true): KindInfo => ({ kind, group, version, plural, namespaced, title: TITLES[plural] });

/** kindTitle is what a list of the kind is called. */
export function kindTitle(kind: KindInfo): string {
  return kind.title ?? `${kind.kind}s`;
}

export const SECTIONS: { title: string; kinds: KindInfo[] }[] = [
  {
    title: 'Workloads',
    kinds: [
      k('Deployment', 'apps', 'v1', 'deployments'),
      k('StatefulSet', 'apps', 'v1', 'statefulsets'),
      k('DaemonSet', 'apps', 'v1', 'daemonsets'),
      k('Job', 'batch', 'v1', 'jobs'),
      k('CronJob', 'batch', 'v1', 'cronjobs'),
      k('ReplicaSet', 'apps', 'v1', 'replicasets'),
      k('Pod', '', 'v1', 'pods'),
    ],
  },
  {
    title: 'Network',
    kinds: [k('Service', '', 'v1', 'services'), k('Ingress', 'networking.k8s.io', 'v1', 'ingresses'), k('NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies')],
  },
  {
    title: 'Config and storage',
    kinds: [
      k('ConfigMap', '', 'v1', 'configmaps'),
      k('Secret', '', 'v1', 'secrets'),
      k('PersistentVolumeClaim', '', 'v1', 'persistentvolumeclaims'),
      k('PersistentVolume', '', 'v1', 'persistentvolumes', false),
      k('StorageClass', 'storage.k8s.io', 'v1', 'storageclasses', false),
      k('HorizontalPodAutoscaler', 'autoscaling', 'v2', 'horizontalpodautoscalers'),
    ],
  },
  {
    title: 'Cluster',
    kinds: [k('Node', '', 'v1', 'nodes', false), k('Namespace', '', 'v1', 'namespaces', false), k('Event', '', 'v1', 'events')],
  },
];

const byPlural = new Map<string, KindInfo>();
for (const s of SECTIONS) for (const kind of s.kinds) byPlural.set(`${kind.group}/${kind.plural}`, kind);

/** registerKind makes a custom resource's kind known to the generic views. */
export function registerKind(kind: KindInfo): void {
  byPlural.set(`${kind.group}/${kind.plural}`, kind);
}

export function kindFor(group: string, plural: string): KindInfo | undefined {
  return byPlural.get(`${group}/${plural}`);
}

/** collectionPath is the URL of a kind's objects, in one namespace or all ('' = all namespaces). */
export function collectionPath(kind: KindInfo, namespace: string): string {
  const base = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  return kind.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${kind.plural}` : `${base}/${kind.plural}`;
}

/** objectPath is the URL of one object. */
export function objectPath(kind: KindInfo, namespace: string | undefined, name: string): string {
  const base = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  const ns = kind.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${kind.plural}/${encodeURIComponent(name)}`;
}

/** kindKey names a kind in routes: `apps.deployments`, `pods` for the core group. */
export function kindKey(kind: KindInfo): string {
  return kind.group ? `${kind.group}.${kind.plural}` : kind.plural;
}

export function kindFromKey(key: string): KindInfo | undefined {
  // Plurals have no dots and group names do, so the plural is after the last one.
  const dot = key.lastIndexOf('.');
  return dot < 0 ? kindFor('', key) : kindFor(key.slice(0, dot), key.slice(dot + 1));
}
