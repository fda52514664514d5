// SPDX-License-Identifier: Apache-2.0
/**
 * API discovery documents, all derived from the served definitions: legacy
 * (`APIVersions`, `APIGroupList`, `APIGroup`, `APIResourceList`) and the
 * aggregated `apidiscovery.k8s.io/v2` form that kubectl 1.32 asks for first
 * (one request for every group instead of one per group-version).
 */
import { createHash } from 'node:crypto';
import { RESOURCES, apiVersionOf, servedGroups, type GroupVersions, type ResourceInfo, type SubresourceName } from '../api/index.js';
import type { APIExtension, ExtensionResource } from './extensions.js';

/** ServedResources is what discovery describes: a server's definitions, or the built-in table. */
export interface ServedResources {
  servedGroups(): GroupVersions[];
  resources(): readonly ResourceInfo[];
}

const BUILTIN: ServedResources = { servedGroups, resources: () => RESOURCES };

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** What each subresource answers to, and the kind it returns (upstream discovery). */
const SUBRESOURCE_SHAPES: Record<SubresourceName, { verbs: string[]; kind?: GroupVersionKind }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  log: { verbs: ['get'] },
  exec: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodExecOptions' } },
  attach: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodAttachOptions' } },
  portforward: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' } },
  binding: { verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
  eviction: { verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  proxy: { verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ephemeralcontainers: { verbs: ['get', 'patch', 'update'] },
  resize: { verbs: ['get', 'patch', 'update'] },
  finalize: { verbs: ['update'] },
  token: { verbs: ['create'], kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } },
  approval: { verbs: ['get', 'patch', 'update'] },
};

function proxyKind(r: ResourceInfo): GroupVersionKind {
  return { group: '', version: 'v1', kind: `${r.kind}ProxyOptions` };
}

function subresourceKind(r: ResourceInfo, s: SubresourceName): GroupVersionKind {
  if (s === 'proxy') return proxyKind(r);
  return SUBRESOURCE_SHAPES[s].kind ?? { group: r.group, version: r.version, kind: r.kind };
}

function storageVersionHash(r: ResourceInfo): string {
  return createHash('sha256').update(`${r.storage.group}/${r.storage.version}/${r.kind}`).digest('base64').slice(0, 11);
}

/** apiVersions is GET /api. */
export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string, versions: string[]): object {
  const gv = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: gv, preferredVersion: gv[0] };
}

/** allGroups lists stored groups then extension groups, preferred version first. */
function allGroups(ext: APIExtension[], served: ServedResources): GroupVersions[] {
  const out = served.servedGroups().map((g) => ({ group: g.group, versions: [...g.versions] }));
  for (const e of ext) {
    let g = out.find((x) => x.group === e.group);
    if (!g) out.push((g = { group: e.group, versions: [] }));
    if (!g.versions.includes(e.version)) g.versions.push(e.version);
  }
  return out;
}

/** apiGroupList is GET /apis. */
export function apiGroupList(ext: APIExtension[] = [], served: ServedResources = BUILTIN): object {
  const groups = allGroups(ext, served).filter((g) => g.group !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(g.group, g.versions)) };
}

/** apiGroupDoc is GET /apis/<group>, or undefined for an unknown group. */
export function apiGroupDoc(group: string, ext: APIExtension[] = [], served: ServedResources = BUILTIN): object | undefined {
  const g = allGroups(ext, served).find((x) => x.group === group && group !== '');
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) };
}

/** apiResourceList is GET /api/v1 or /apis/<group>/<version>, or undefined when not served. */
export function apiResourceList(group: string, version: string, ext: APIExtension[] = [], served: ServedResources = BUILTIN): object | undefined {
  const rows = served.resources().filter((r) => r.group === group && r.version === version);
  const extRows = ext.filter((e) => e.group === group && e.version === version).flatMap((e) => e.resources);
  if (rows.length === 0 && extRows.length === 0) return undefined;
  const resources: object[] = extRows.map((r) => ({
    name: r.name,
    singularName: r.singularName,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
  }));
  for (const r of rows) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      storageVersionHash: storageVersionHash(r),
    });
    for (const s of r.subresources) {
      const k = subresourceKind(r, s);
      resources.push({
        name: `${r.plural}/${s}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(k.group !== r.group || k.version !== r.version ? { group: k.group, version: k.version } : {}),
        kind: k.kind,
        verbs: SUBRESOURCE_SHAPES[s].verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

function discoveryResource(r: ResourceInfo): object {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((s) => ({
            subresource: s,
            responseKind: subresourceKind(r, s),
            verbs: SUBRESOURCE_SHAPES[s].verbs,
          })),
        }
      : {}),
  };
}

function extensionResource(e: APIExtension, r: ExtensionResource): object {
  return {
    resource: r.name,
    responseKind: { group: e.group, version: e.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singularName,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
  };
}

/**
 * aggregatedDiscovery is the apidiscovery.k8s.io/v2 APIGroupDiscoveryList for
 * /api (core only) or /apis (every other group), versions preferred first.
 */
export function aggregatedDiscovery(legacy: boolean, ext: APIExtension[] = [], served: ServedResources = BUILTIN): object {
  const resources = served.resources();
  const groups = allGroups(ext, served).filter((g) => (g.group === '') === legacy);
  const items = groups.map((g) => ({
    metadata: { name: g.group, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: [
        ...resources.filter((r) => r.group === g.group && r.version === v).map(discoveryResource),
        ...ext.filter((e) => e.group === g.group && e.version === v).flatMap((e) => e.resources.map((r) => extensionResource(e, r))),
      ],
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

/** AGGREGATED_DISCOVERY_V2 is the media type of an aggregated discovery answer. */
export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** wantsAggregatedDiscovery reads the Accept header kubectl sends to /api and /apis. */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((p) => /as=APIGroupDiscoveryList/.test(p) && /g=apidiscovery\.k8s\.io/.test(p) && /v=v2(;|$|\s)/.test(p + ';'));
}
