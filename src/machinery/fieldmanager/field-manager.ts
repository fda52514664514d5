// SPDX-License-Identifier: Apache-2.0
/**
 * FieldManager keeps metadata.managedFields of one kind (and subresource) on
 * every write, as upstream's fieldmanager chain: an Update (create, update,
 * non-apply patch) gives its manager the fields it added or changed and takes
 * them from everyone else; an Apply merges the configuration into the live
 * object, owns exactly the configuration's fields, removes fields it dropped
 * since its last apply unless someone else owns them, and fails with
 * conflicts where it would change another manager's fields (unless forced).
 */
import { deepEqual, type ManagedObject as KubeObject } from './managed-object.js';
import { compare, type Comparison } from './compare.js';
import { changedFieldsV1 } from './changed-fields.js';
import { ConflictsError, type Conflict } from './conflicts.js';
import { FieldSet } from './field-set.js';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, managerIdentifier, rawHas, sortEntries, type Managed, type ManagedFieldsEntry, type ManagerEntry } from './managed-fields.js';
import { merge, removePaths } from './merge.js';
import { toFieldSet } from './to-field-set.js';
import { rfc3339 } from '../rfc3339.js';
import { cloneJson } from '../json-clone.js';
import type { ResolveRef, SchemaNode } from './type-shape.js';

/** BEFORE_FIRST_APPLY owns what an object held before its first apply (upstream's skipNonApplied manager). */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

export interface FieldManagerOptions {
  /** Schema of the kind's objects and the `$ref` resolver of its definitions. */
  schema: SchemaNode | undefined;
  resolve: ResolveRef;
  /** apiVersion of the served version (`apps/v1`). */
  apiVersion: string;
  subresource?: string;
  /** ignored are the fields this endpoint resets (status on the main resource, spec on status): nobody owns them here. */
  ignored?: FieldSet;
  now?: () => Date;
}

/**
 * STRIPPED are fields never tracked (upstream's stripmeta.go): type meta and
 * the metadata the server owns.
 */
const STRIPPED = new FieldSet();
for (const f of ['apiVersion', 'kind']) STRIPPED.insert([`f:${f}`]);
for (const f of ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']) {
  STRIPPED.insert(['f:metadata', `f:${f}`]);
}

export class FieldManager {
  readonly #o: FieldManagerOptions;
  readonly #ignored: FieldSet;
  #skeletonSpec: unknown;

  constructor(opts: FieldManagerOptions) {
    this.#o = opts;
    this.#ignored = opts.ignored ? STRIPPED.union(opts.ignored) : STRIPPED;
  }

  #now(): string {
    return rfc3339(this.#o.now?.() ?? new Date());
  }

  /**
   * update records an Update by `manager` from `live` (undefined on create)
   * to `next`, writing next.metadata.managedFields. Managed fields sent with
   * the request are honoured on the main resource, as upstream lets clients
   * rewrite them (kubectl's client-side-apply migration does); otherwise the
   * live object's are used.
   */
  update(live: KubeObject | undefined, next: KubeObject, manager: string): void {
    const sent = next.metadata.managedFields;
    const honoursSent = !this.#o.subresource && Array.isArray(sent) && sent.length > 0;
    if (!live && !honoursSent) return this.#recordCreate(next, manager);
    let cmp: Comparison | undefined;
    if (live && (!honoursSent || sent === live.metadata.managedFields || deepEqual(sent, live.metadata.managedFields))) {
      cmp = this.#compare(live, next);
      if (this.#updateInPlace(live, next, manager, cmp)) return;
    }
    let managed = honoursSent ? this.#decodeOrEmpty(sent) : new Map() as Managed;
    if (managed.size === 0) managed = this.#decodeOrEmpty(live?.metadata.managedFields);
    const before = live ?? this.#skeleton(next);
    this.#recordUpdate(managed, before, next, manager, cmp);
    capUpdateManagers(managed);
    setManagedFields(next, managed);
  }

  /**
   * updateInPlace is the common case of a write that changes only fields its
   * manager already owns alone (status heartbeats, a controller's own
   * fields): the stored entries stay as they are, the manager's time moves.
   * Upstream reaches the same entries through the general path; this one
   * skips decoding and re-encoding every set. False when it does not apply.
   */
  #updateInPlace(live: KubeObject, next: KubeObject, manager: string, cmp: Comparison): boolean {
    const entries = (live.metadata.managedFields ?? []) as ManagedFieldsEntry[];
    if (!cmp.removed.isEmpty()) return false;
    const changed = changedFields(cmp);
    const paths = changed.paths();
    const own = entries.findIndex((e) => e.manager === manager && e.operation === 'Update' && e.apiVersion === this.#o.apiVersion && (e.subresource || undefined) === this.#o.subresource);
    if (paths.length === 0) {
      next.metadata.managedFields = live.metadata.managedFields;
      if (!next.metadata.managedFields) delete next.metadata.managedFields;
      return true;
    }
    if (own < 0) return false;
    for (let i = 0; i < entries.length; i++) {
      const fields = entries[i].fieldsV1;
      if (entries[i].fieldsType !== 'FieldsV1' || !fields) return false;
      for (const p of paths) if (rawHas(fields, p) !== (i === own)) return false;
    }
    const out = entries.map((e, i) => (i === own ? { ...e, time: this.#now() } : e));
    next.metadata.managedFields = sortEntries(out);
    return true;
  }

  /**
   * recordCreate is update() of a create that brings no managedFields: no
   * manager exists yet, so the result is the one Update entry of this
   * manager owning what the object sets (against the kind's empty object),
   * encoded as the general path encodes it, or no managedFields at all.
   */
  #recordCreate(next: KubeObject, manager: string): void {
    const fields = changedFieldsV1(this.#skeleton(next), next, this.#o.schema, this.#o.resolve, this.#ignored);
    if (Object.keys(fields).length === 0) {
      delete next.metadata.managedFields;
      return;
    }
    const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion: this.#o.apiVersion, time: this.#now(), fieldsType: 'FieldsV1', fieldsV1: fields };
    if (this.#o.subresource) entry.subresource = this.#o.subresource;
    next.metadata.managedFields = [entry];
  }

  #skeleton(obj: KubeObject): KubeObject {
    // null: the kind has no spec (kept as null so it is worked out once, not on every create).
    if (this.#skeletonSpec === undefined) this.#skeletonSpec = skeletonOf(obj, this.#o.schema, this.#o.resolve).spec ?? null;
    const out: KubeObject = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: {} };
    if (this.#skeletonSpec !== null) out.spec = cloneJson(this.#skeletonSpec);
    if (obj.status !== undefined) out.status = {};
    return out;
  }

  #recordUpdate(managed: Managed, live: KubeObject, next: KubeObject, manager: string, known?: Comparison): void {
    const cmp = known ?? this.#compare(live, next);
    takeFromOthers(managed, undefined, cmp, true);
    const changed = changedFields(cmp);
    if (changed.isEmpty()) return;
    const id = this.#updaterId(manager);
    const previous = managed.get(id);
    const set = previous ? changed.union(previous.set) : changed;
    managed.set(id, { manager, operation: 'Update', apiVersion: this.#o.apiVersion, subresource: this.#o.subresource, set, time: this.#now(), raw: undefined });
  }

  /** Update managers' identifiers by manager name (this endpoint fixes the rest), made once each rather than per write. */
  readonly #updaterIds = new Map<string, string>();

  #updaterId(manager: string): string {
    let id = this.#updaterIds.get(manager);
    if (id === undefined) {
      id = managerIdentifier({ manager, operation: 'Update', apiVersion: this.#o.apiVersion, subresource: this.#o.subresource });
      // Manager names come from clients (user agents, fieldManager): keep the map from growing without bound.
      if (this.#updaterIds.size >= 256) this.#updaterIds.clear();
      this.#updaterIds.set(manager, id);
    }
    return id;
  }

  /**
   * apply merges `config` into `live` (an empty object of the kind when the
   * apply creates it) for `manager` and returns the new object with its
   * managedFields; it throws ConflictsError unless `force`.
   */
  apply(live: KubeObject, config: KubeObject, manager: string, force: boolean): KubeObject {
    const managed = this.#decodeOrEmpty(live.metadata.managedFields);
    if (managed.size === 0 && live.metadata.uid) {
      // Upstream's skipNonApplied manager: what the object held before its first apply is owned by a placeholder.
      this.#recordUpdate(managed, this.#skeleton(live), live, BEFORE_FIRST_APPLY);
    }
    const entry = { manager, operation: 'Apply' as const, apiVersion: this.#o.apiVersion, subresource: this.#o.subresource };
    const id = managerIdentifier(entry);
    const lastSet = managed.get(id)?.set;
    const lastTime = managed.get(id)?.time;
    const newSet = toFieldSet(config, this.#o.schema, this.#o.resolve).recursiveDifference(this.#ignored);
    managed.set(id, { ...entry, set: newSet, time: lastTime, raw: undefined });
    const merged = merge(live, config, this.#o.schema, this.#o.resolve) as KubeObject;
    if (lastSet) this.#prune(merged, managed, lastSet.difference(newSet));
    const conflicts = takeFromOthers(managed, id, this.#compare(live, merged), force);
    if (conflicts.length) throw new ConflictsError(conflicts);
    if (!deepEqual(stripForCompare(live), stripForCompare(merged))) managed.get(id)!.time = this.#now();
    capUpdateManagers(managed);
    setManagedFields(merged, managed);
    return merged;
  }

  /** prune removes fields the applier dropped from its configuration that no manager owns any more. */
  #prune(obj: KubeObject, managed: Managed, dropped: FieldSet): void {
    const owners = [...managed.values()].map((e) => e.set);
    const gone = dropped.paths().filter((p) => !owners.some((s) => s.hasPrefix(p)));
    removePaths(obj, gone, this.#o.schema, this.#o.resolve);
  }

  #compare(lhs: KubeObject, rhs: KubeObject): Comparison {
    return compare(lhs, rhs, this.#o.schema, this.#o.resolve, this.#ignored);
  }

  #decodeOrEmpty(entries: unknown): Managed {
    try {
      return decodeManagedFields(entries);
    } catch {
      // Upstream resets managed fields it cannot decode rather than failing the write.
      return new Map();
    }
  }
}

/**
 * takeFromOthers applies a change to every manager but `self`: fields it
 * removed are no longer theirs, fields it changed conflict (and, forced or
 * on Update, change hands). Managers left with nothing are dropped.
 */
function takeFromOthers(managed: Managed, self: string | undefined, cmp: Comparison, force: boolean): Conflict[] {
  // A create, or a write to an object only `self` manages, takes nothing from anyone.
  if (managed.size === 0 || (managed.size === 1 && self !== undefined && managed.has(self))) return [];
  const changed = changedFields(cmp);
  const conflicts: Conflict[] = [];
  for (const [id, entry] of managed) {
    if (id === self) continue;
    const clash = entry.set.intersection(changed);
    if (!clash.isEmpty()) for (const path of clash.paths()) conflicts.push({ manager: entry, path });
  }
  if (conflicts.length && !force) return conflicts;
  for (const [id, entry] of managed) {
    if (id === self) continue;
    // Most writes touch nobody else's fields: those entries (and their encoded form) stay as they are.
    if (entry.set.intersection(changed).isEmpty() && entry.set.intersection(cmp.removed).isEmpty()) continue;
    const set = entry.set.difference(changed).difference(cmp.removed);
    if (set.isEmpty()) managed.delete(id);
    else managed.set(id, { ...entry, set, raw: undefined });
  }
  return [];
}

/**
 * changedFields is what a change added or modified. Sets are never changed
 * once built, so when one side is empty the other is the answer itself (on
 * a create, everything is added and nothing modified).
 */
function changedFields(cmp: Comparison): FieldSet {
  if (cmp.modified.isEmpty()) return cmp.added;
  if (cmp.added.isEmpty()) return cmp.modified;
  return cmp.modified.union(cmp.added);
}

function setManagedFields(obj: KubeObject, managed: Managed): void {
  const encoded = encodeManagedFields(managed);
  if (encoded) obj.metadata.managedFields = encoded;
  else delete obj.metadata.managedFields;
}

/** stripForCompare drops what every write changes or nobody owns, so comparisons skip it cheaply. */
function stripForCompare(obj: KubeObject): KubeObject {
  const { managedFields: _m, resourceVersion: _r, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/**
 * skeletonOf is the "before" of a create. Upstream compares against a new Go
 * struct of the kind, serialized: metadata, spec and status exist, and so do
 * the fields Go does not omit when empty (the required ones here, null when
 * not objects), so a create records `f:spec` and `f:containers` without `.`.
 */
function skeletonOf(obj: KubeObject, schema: SchemaNode | undefined, resolve: ResolveRef): KubeObject {
  const out: KubeObject = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: {} };
  const props = (schema && resolve(schema)?.properties) ?? {};
  if (props.spec) out.spec = zeroValue(props.spec, resolve, 0);
  if (props.status) out.status = {};
  return out;
}

function zeroValue(node: SchemaNode, resolve: ResolveRef, depth: number): unknown {
  const s = resolve(node);
  if (!s?.properties || depth > 8) return s?.type === 'object' ? {} : null;
  const out: Record<string, unknown> = {};
  // Embedded templates (PodTemplateSpec) are Go structs too: their metadata and spec are always there.
  const present = new Set([...(s.required ?? []), ...['metadata', 'spec'].filter((n) => s.properties![n])]);
  for (const name of present) {
    const field = s.properties[name];
    if (!field) continue;
    const resolved = resolve(field);
    out[name] = resolved?.properties ? zeroValue(field, resolve, depth + 1) : null;
  }
  return out;
}

export type { ManagerEntry };
