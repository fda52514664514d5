// SPDX-License-Identifier: Apache-2.0
/**
 * ManagedFieldsTracker keeps metadata.managedFields of one resource on every
 * write, as upstream's handlers do with their FieldManager: each endpoint
 * (the resource, its status, ...) has its own manager chain, whose reset
 * fields nobody owns there (status on the main resource, spec on status).
 * The manager is the `fieldManager` parameter or, without one, the prefix
 * of the User-Agent (kubectl's client-side commands name themselves:
 * `kubectl-client-side-apply`, `kubectl-edit`, `kubectl-create`, ...).
 */
import { apiVersionOf, type KubeObject, type ResourceInfo } from '../../api/index.js';
import { applyWithMigration, ConflictsError, FieldManager, FieldSet, managerFromUserAgent, newApplyConflict, type ManagedObject, type SchemaNode } from '../../machinery/index.js';
import { definitions, resolveSchema, schemaFor, type Schema } from '../openapi/index.js';
import type { RequestContext } from './request-context.js';
import type { ResourceDefinition } from '../definitions/definition.js';

/** KindSchema is where a kind's structure comes from: the generated definitions, or a custom resource's own. */
export interface KindSchema {
  schema: SchemaNode | undefined;
  resolve: (node: SchemaNode) => SchemaNode | undefined;
}

/** builtinKindSchema finds a built-in kind's schema; kinds without one are walked as deduced (untyped) objects. */
export function builtinKindSchema(info: ResourceInfo): KindSchema {
  const found = schemaFor(apiVersionOf(info), info.kind);
  const defs = definitions();
  return { schema: found?.schema as SchemaNode | undefined, resolve: (node) => resolveSchema(node as Schema, defs) as SchemaNode };
}

/**
 * kindSchemaOf takes a definition's published schema (custom resources
 * carry their own OpenAPI model), else the built-in definitions.
 */
export function kindSchemaOf(def: ResourceDefinition): KindSchema {
  const model = def.openAPI;
  if (!model) return builtinKindSchema(def.info);
  const defs = model.definitions;
  return { schema: defs[model.name] as SchemaNode | undefined, resolve: (node) => resolveSchema(node as Schema, defs) as SchemaNode };
}

/**
 * asManaged views an API object as the field manager's ManagedObject: the
 * same JSON, typed by machinery without API types (kubernetes-types' FieldsV1
 * is an opaque interface, hence the cast).
 */
function asManaged(obj: KubeObject): ManagedObject {
  return obj as unknown as ManagedObject;
}

/** Objects produced by an apply carry their managedFields already; the registry must not record an Update for them. */
const applied = new WeakSet<object>();

/** DEFAULT_IN_PROCESS_MANAGER names writes of in-process components that set no field manager and have no User-Agent. */
const DEFAULT_IN_PROCESS_MANAGER = 'skiff';

export class ManagedFieldsTracker {
  readonly #info: ResourceInfo;
  readonly #schema: () => KindSchema;
  readonly #managers = new Map<string, FieldManager>();
  readonly #now?: () => Date;

  constructor(info: ResourceInfo, schema: () => KindSchema = () => builtinKindSchema(info), now?: () => Date) {
    this.#info = info;
    this.#schema = schema;
    this.#now = now;
  }

  /** managerName is upstream's managerOrUserAgent. */
  static managerName(ctx: RequestContext): string {
    if (ctx.fieldManager) return ctx.fieldManager;
    if (ctx.userAgent === undefined) return DEFAULT_IN_PROCESS_MANAGER;
    return managerFromUserAgent(ctx.userAgent);
  }

  #endpoint(subresource: string | undefined): FieldManager {
    // '*' is the registry's internal full write (pod binding): tracked as the main resource.
    const sub = subresource === '*' ? '' : (subresource ?? '');
    let fm = this.#managers.get(sub);
    if (!fm) {
      const ignored = new FieldSet();
      if (sub === 'status') ignored.insert(['f:spec']);
      else if ((sub === '' || sub === 'scale') && this.#info.subresources.includes('status')) ignored.insert(['f:status']);
      const { schema, resolve } = this.#schema();
      fm = new FieldManager({ schema, resolve, apiVersion: apiVersionOf(this.#info), subresource: sub || undefined, ignored, now: this.#now });
      this.#managers.set(sub, fm);
    }
    return fm;
  }

  /**
   * recordWrite sets next.metadata.managedFields for a create (live
   * undefined) or an update; `requested` is what the caller handed in,
   * which an apply has already given its managedFields.
   */
  recordWrite(ctx: RequestContext, live: KubeObject | undefined, next: KubeObject, requested: KubeObject, subresource?: string): void {
    if (applied.has(requested)) {
      if (requested !== next) next.metadata.managedFields = requested.metadata.managedFields;
      return;
    }
    this.#endpoint(subresource).update(live && asManaged(live), asManaged(next), ManagedFieldsTracker.managerName(ctx));
  }

  /** carryApplied keeps the mark of an applied object on the copy the registry makes of it. */
  static carryApplied(from: object, to: object): void {
    if (applied.has(from)) applied.add(to);
  }

  /**
   * apply merges an applied configuration into `live` (an empty object of
   * the kind when apply creates it) and returns the object to write, or
   * throws upstream's 409 listing the conflicts.
   */
  apply(ctx: RequestContext, live: KubeObject, config: KubeObject, force: boolean, subresource?: string): KubeObject {
    const manager = ctx.fieldManager ?? '';
    try {
      const out = applyWithMigration(this.#endpoint(subresource), this.#schema(), asManaged(live), asManaged(config), manager, force) as unknown as KubeObject;
      applied.add(out);
      return out;
    } catch (err) {
      if (err instanceof ConflictsError) throw newApplyConflict(err.conflicts);
      throw err;
    }
  }
}
