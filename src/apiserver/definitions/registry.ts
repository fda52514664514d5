// SPDX-License-Identifier: Apache-2.0
/**
 * DefinitionRegistry holds the definitions one server serves: the built-in
 * ones, and those added and removed at run time (custom resources). Readers
 * look definitions up by URL (group/version/plural) or by manifest
 * (apiVersion/kind); caches derived from the set (discovery, OpenAPI)
 * subscribe to changes.
 */
import { apiVersionOf, type GroupVersions, type ResourceInfo } from '../../api/index.js';
import { builtinDefinitions } from './builtin.js';
import { gvrKey, type ResourceDefinition } from './definition.js';
import { compareKubeVersions } from './version-priority.js';

/** DefinitionChange tells listeners which definition came or went. */
export interface DefinitionChange {
  type: 'added' | 'removed';
  definition: ResourceDefinition;
}

export class DefinitionRegistry {
  readonly #list: ResourceDefinition[] = [];
  readonly #byGVR = new Map<string, ResourceDefinition>();
  readonly #byGVK = new Map<string, ResourceDefinition>();
  readonly #builtinGroups = new Set<string>();
  readonly #listeners = new Set<(c: DefinitionChange) => void>();

  constructor(initial: ResourceDefinition[] = builtinDefinitions()) {
    for (const d of initial) {
      this.#insert(d);
      this.#builtinGroups.add(d.info.group);
    }
  }

  /** all lists every definition in discovery order. */
  all(): readonly ResourceDefinition[] {
    return this.#list;
  }

  /** resources lists every served row in discovery order. */
  resources(): ResourceInfo[] {
    return this.#list.map((d) => d.info);
  }

  lookup(group: string, version: string, plural: string): ResourceDefinition | undefined {
    return this.#byGVR.get(gvrKey(group, version, plural));
  }

  /** lookupKind finds a definition by apiVersion and kind, as written in manifests. */
  lookupKind(apiVersion: string, kind: string): ResourceDefinition | undefined {
    return this.#byGVK.get(`${apiVersion}/${kind}`);
  }

  /** isBuiltinGroup tells whether a group is served by built-in kinds (custom resources may not take it). */
  isBuiltinGroup(group: string): boolean {
    return this.#builtinGroups.has(group);
  }

  /**
   * servedGroups lists groups in discovery order with their versions,
   * preferred first; groups added at run time order their versions as
   * upstream orders a custom resource group's (kube-aware priority).
   */
  servedGroups(): GroupVersions[] {
    const out: GroupVersions[] = [];
    for (const d of this.#list) {
      let g = out.find((x) => x.group === d.info.group);
      if (!g) out.push((g = { group: d.info.group, versions: [] }));
      if (!g.versions.includes(d.info.version)) g.versions.push(d.info.version);
    }
    for (const g of out) if (!this.#builtinGroups.has(g.group)) g.versions.sort(compareKubeVersions);
    return out;
  }

  /** add serves a definition (replacing one at the same URL) and tells the listeners. */
  add(def: ResourceDefinition): void {
    const old = this.lookup(def.info.group, def.info.version, def.info.plural);
    if (old) this.#delete(old);
    this.#insert(def);
    this.#emit({ type: 'added', definition: def });
  }

  /** remove stops serving a group/version/resource; false when it was not served. */
  remove(group: string, version: string, plural: string): boolean {
    const def = this.lookup(group, version, plural);
    if (!def) return false;
    this.#delete(def);
    this.#emit({ type: 'removed', definition: def });
    return true;
  }

  /** onChange subscribes to additions and removals; the result unsubscribes. */
  onChange(listener: (c: DefinitionChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #insert(d: ResourceDefinition): void {
    this.#list.push(d);
    this.#byGVR.set(gvrKey(d.info.group, d.info.version, d.info.plural), d);
    this.#byGVK.set(`${apiVersionOf(d.info)}/${d.info.kind}`, d);
  }

  #delete(d: ResourceDefinition): void {
    const i = this.#list.indexOf(d);
    if (i >= 0) this.#list.splice(i, 1);
    this.#byGVR.delete(gvrKey(d.info.group, d.info.version, d.info.plural));
    const k = `${apiVersionOf(d.info)}/${d.info.kind}`;
    if (this.#byGVK.get(k) === d) this.#byGVK.delete(k);
  }

  #emit(c: DefinitionChange): void {
    for (const l of this.#listeners) l(c);
  }
}
