// SPDX-License-Identifier: Apache-2.0
/**
 * Moving from client-side to server-side apply, as upstream's
 * lastappliedmanager.go and lastappliedupdater.go: when `kubectl` applies
 * server-side to an object that kubectl last applied client-side, conflicts
 * on fields the `kubectl.kubernetes.io/last-applied-configuration`
 * annotation still describes (unchanged since) are not conflicts; and after
 * such an apply the annotation is rewritten to the applied configuration, so
 * a later client-side apply computes the right three-way diff.
 */
import { deepClone, type ManagedObject as KubeObject } from './managed-object.js';
import { compare } from './compare.js';
import { ConflictsError } from './conflicts.js';
import type { FieldManager } from './field-manager.js';
import { FieldSet } from './field-set.js';
import { toFieldSet } from './to-field-set.js';
import type { ResolveRef, SchemaNode } from './type-shape.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Only kubectl's own server-side manager upgrades client-side apply; other managers opt out (upstream). */
const KUBECTL_MANAGER = 'kubectl';

export interface ApplyWithMigrationOptions {
  schema: SchemaNode | undefined;
  resolve: ResolveRef;
}

/** applyWithMigration runs FieldManager.apply with upstream's client-side apply upgrade around it. */
export function applyWithMigration(fm: FieldManager, o: ApplyWithMigrationOptions, live: KubeObject, config: KubeObject, manager: string, force: boolean): KubeObject {
  let result: KubeObject;
  try {
    result = fm.apply(live, config, manager, force);
  } catch (err) {
    if (!(err instanceof ConflictsError) || manager !== KUBECTL_MANAGER) throw err;
    const allowed = allowedConflicts(live, o);
    if (!allowed) throw err;
    const left = err.conflicts.filter((c) => !allowed.has(c.path));
    if (left.length) throw new ConflictsError(left);
    result = fm.apply(live, config, manager, true);
  }
  if (manager === KUBECTL_MANAGER && live.metadata.annotations?.[LAST_APPLIED_ANNOTATION] !== undefined) {
    const annotations = { ...(result.metadata.annotations ?? {}) };
    annotations[LAST_APPLIED_ANNOTATION] = lastAppliedValue(config);
    result.metadata.annotations = annotations;
  }
  return result;
}

/** allowedConflicts: the fields of the last client-side apply whose live value is still what was applied. */
function allowedConflicts(live: KubeObject, o: ApplyWithMigrationOptions): FieldSet | undefined {
  const raw = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!raw) return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof lastApplied !== 'object' || lastApplied === null || Array.isArray(lastApplied)) return undefined;
  const set = toFieldSet(lastApplied, o.schema, o.resolve);
  const cmp = compare(lastApplied, live, o.schema, o.resolve);
  return set.difference(cmp.modified);
}

/** lastAppliedValue is the applied configuration without the annotation itself, keys sorted as Go's json.Marshal writes maps. */
function lastAppliedValue(config: KubeObject): string {
  const copy = deepClone(config);
  const annotations = copy.metadata?.annotations;
  if (annotations) {
    delete annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
  }
  return JSON.stringify(sortKeys(copy)) + '\n';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}
