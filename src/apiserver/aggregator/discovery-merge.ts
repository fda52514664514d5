// SPDX-License-Identifier: Apache-2.0
/**
 * Discovery with aggregated group/versions merged in, as kube-aggregator's
 * apis handler and aggregated discovery manager publish them: legacy /apis
 * and /apis/<group> list every remote APIService's group/version (available
 * or not: clients learn of an unavailable one from its 503), versions of a
 * group ordered by versionPriority then kube-aware version order, new groups
 * by groupPriorityMinimum then name; aggregated discovery v2 gets the
 * resources each extension server's discovery document listed (Stale while
 * it is unavailable), replacing what this server would serve for the same
 * group/version.
 */
import { compareKubeVersions } from '../definitions/version-priority.js';
import type { Discovered, ResourceListEntry } from './available-controller.js';
import { isAvailable, type APIService } from './types.js';

/** RemoteGroupVersion is one remote APIService with what its server's discovery said. */
export interface RemoteGroupVersion {
  service: APIService;
  discovered?: Discovered;
}

interface GroupVersionDoc {
  groupVersion: string;
  version: string;
}

interface APIGroupDoc {
  name: string;
  versions: GroupVersionDoc[];
  preferredVersion?: GroupVersionDoc;
}

const spec = (s: APIService) => s.spec ?? {};

/** sortVersions orders versions by versionPriority (highest first), then kube-aware order. */
function sortVersions(versions: string[], priority: (v: string) => number): string[] {
  return [...versions].sort((a, b) => priority(b) - priority(a) || compareKubeVersions(a, b));
}

/** groupPriority is the highest groupPriorityMinimum of a group's APIServices. */
function groupPriority(remote: RemoteGroupVersion[], group: string): number {
  return Math.max(0, ...remote.filter((r) => spec(r.service).group === group).map((r) => spec(r.service).groupPriorityMinimum ?? 0));
}

/** mergeGroup adds remote versions to one group's version list, keeping the local versions' places otherwise. */
function mergedVersions(group: string, local: string[], remote: RemoteGroupVersion[], versionPriority: (v: string) => number): string[] {
  const mine = remote.filter((r) => spec(r.service).group === group).map((r) => spec(r.service).version ?? '');
  if (!mine.length) return local;
  return sortVersions([...new Set([...local, ...mine])], versionPriority);
}

function apiGroupOf(name: string, versions: string[]): APIGroupDoc {
  const gv = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: gv, preferredVersion: gv[0] };
}

/** priorityOf returns the versionPriority of a group's version from any APIService (local or remote). */
export type VersionPriorityOf = (group: string, version: string) => number;

/** mergeGroupList merges remote group/versions into a legacy APIGroupList. */
export function mergeGroupList(doc: { groups: APIGroupDoc[] }, remote: RemoteGroupVersion[], priorityOf: VersionPriorityOf): { groups: APIGroupDoc[] } {
  const groups = doc.groups.map((g) => {
    const versions = mergedVersions(g.name, g.versions.map((v) => v.version), remote, (v) => priorityOf(g.name, v));
    return versions === undefined || versions.length === g.versions.length ? g : apiGroupOf(g.name, versions);
  });
  const known = new Set(groups.map((g) => g.name));
  const added = [...new Set(remote.map((r) => spec(r.service).group ?? ''))].filter((g) => g && !known.has(g));
  added.sort((a, b) => groupPriority(remote, b) - groupPriority(remote, a) || (a < b ? -1 : a > b ? 1 : 0));
  for (const g of added) groups.push(apiGroupOf(g, mergedVersions(g, [], remote, (v) => priorityOf(g, v))));
  return { ...doc, groups };
}

/** mergedGroup is the APIGroup document of a group with remote versions (undefined when it has none). */
export function mergedGroup(group: string, localVersions: string[], remote: RemoteGroupVersion[], priorityOf: VersionPriorityOf): object | undefined {
  if (!remote.some((r) => spec(r.service).group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupOf(group, mergedVersions(group, localVersions, remote, (v) => priorityOf(group, v))) };
}

/** toDiscoveryVersion converts a legacy APIResourceList into an aggregated discovery v2 version entry. */
export function toDiscoveryVersion(group: string, version: string, list: Discovered['resourceList'], fresh: boolean): object {
  const entries = list.resources ?? [];
  const kindOf = (r: ResourceListEntry) => ({ group: r.group ?? group, version: r.version ?? version, kind: r.kind });
  const resources = entries.filter((r) => !r.name.includes('/')).map((r) => {
    const subs = entries.filter((s) => s.name.startsWith(`${r.name}/`));
    return {
      resource: r.name,
      responseKind: kindOf(r),
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName ?? '',
      verbs: r.verbs ?? [],
      ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories?.length ? { categories: r.categories } : {}),
      ...(subs.length ? { subresources: subs.map((s) => ({ subresource: s.name.slice(r.name.length + 1), responseKind: kindOf(s), verbs: s.verbs ?? [] })) } : {}),
    };
  });
  return { version, resources, freshness: fresh ? 'Current' : 'Stale' };
}

interface DiscoveryItem {
  metadata: { name: string };
  versions: { version: string }[];
}

/** mergeAggregated merges remote group/versions (those whose discovery was ever fetched) into an APIGroupDiscoveryList. */
export function mergeAggregated(doc: { items: DiscoveryItem[] }, remote: RemoteGroupVersion[], priorityOf: VersionPriorityOf): { items: DiscoveryItem[] } {
  const items = doc.items.map((i) => ({ ...i, versions: [...i.versions] }));
  const known = remote.filter((r) => r.discovered);
  const added: string[] = [];
  for (const r of known) {
    const { group = '', version = '' } = spec(r.service);
    if (!group) continue;
    let item = items.find((i) => i.metadata.name === group);
    if (!item) {
      item = { metadata: { name: group, creationTimestamp: null } as DiscoveryItem['metadata'], versions: [] };
      items.push(item);
      added.push(group);
    }
    // A remote APIService replaces what this server would serve for its group/version.
    item.versions = item.versions.filter((v) => v.version !== version);
    item.versions.push(toDiscoveryVersion(group, version, r.discovered!.resourceList, isAvailable(r.service)) as { version: string });
    const order = sortVersions(item.versions.map((v) => v.version), (v) => priorityOf(group, v));
    item.versions.sort((a, b) => order.indexOf(a.version) - order.indexOf(b.version));
  }
  // New groups go after this server's, by priority then name.
  const firstAdded = items.length - added.length;
  const tail = items.splice(firstAdded).sort((a, b) => groupPriority(remote, b.metadata.name) - groupPriority(remote, a.metadata.name) || (a.metadata.name < b.metadata.name ? -1 : 1));
  return { ...doc, items: [...items, ...tail] };
}
