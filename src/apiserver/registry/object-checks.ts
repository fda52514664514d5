// SPDX-License-Identifier: Apache-2.0
/**
 * ObjectChecks refuses what a ResourceRegistry must not store, with
 * upstream's codes and words: bodies that would not decode into the kind's
 * Go type, the wrong kind or version, unknown fields (per fieldValidation),
 * failed metadata and strategy validation (422 Invalid), a missing or
 * terminating namespace, and unmet delete preconditions.
 */
import type { KubeObject, ResourceInfo } from '../../api/index.js';
import { apiVersionOf, deepClone, isPlainObject } from '../../api/index.js';
import { newBadRequest, newConflict, newForbidden, newInvalid, newNotFound, type FieldError, type GroupResource } from '../../machinery/index.js';
import type { ResourceDefinition } from '../definitions/definition.js';
import type { RequestContext } from './request-context.js';
import { INTERNAL_FULL_UPDATE, type DeleteRequest, type ResourceRegistryOptions } from './registry-types.js';

type CheckOptions = Pick<ResourceRegistryOptions, 'validateMeta' | 'findUnknownFields' | 'decodeError' | 'namespaceState'>;

export class ObjectChecks {
  readonly #definition: ResourceDefinition;
  readonly #info: ResourceInfo;
  readonly #opts: CheckOptions;
  readonly #apiVersion: string;
  readonly #gr: GroupResource;

  constructor(definition: ResourceDefinition, opts: CheckOptions) {
    this.#definition = definition;
    this.#info = definition.info;
    this.#opts = opts;
    this.#apiVersion = apiVersionOf(definition.info);
    this.#gr = { group: definition.info.group, resource: definition.info.plural };
  }

  /** checkTypeMeta rejects a body of the wrong kind or version, as upstream's decoder does; it returns a copy unless told the input is the registry's own. */
  typeMeta(input: unknown, copy = true): KubeObject {
    if (!isPlainObject(input)) throw newBadRequest('the body of the request must be a JSON object');
    const obj = (copy ? deepClone(input) : input) as KubeObject;
    if (obj.kind !== undefined && obj.kind !== this.#info.kind) {
      throw newBadRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${this.#info.kind})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== this.#apiVersion) {
      throw newBadRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${this.#apiVersion})`);
    }
    if (obj.metadata === undefined) obj.metadata = {};
    if (!isPlainObject(obj.metadata)) throw newBadRequest('metadata must be an object');
    obj.apiVersion = this.#apiVersion;
    obj.kind = this.#info.kind;
    return obj;
  }

  /**
   * checkDecodes refuses a body with a wrongly typed field as upstream's
   * decoder does, before anything else looks at it (400, transformDecodeError's
   * `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal ...`).
   */
  decodes(input: unknown): void {
    const why = this.#opts.decodeError?.(this.#apiVersion, this.#info.kind, input);
    if (why) throw newBadRequest(`${this.#info.kind} in version "${this.#info.version}" cannot be handled as a ${this.#info.kind}: ${why}`);
  }

  unknownFields(ctx: RequestContext, obj: unknown): void {
    if (ctx.fieldValidation === 'Ignore') return;
    const unknown = this.#definition.findUnknownFields
      ? this.#definition.findUnknownFields(obj)
      : (this.#opts.findUnknownFields?.(this.#apiVersion, this.#info.kind, obj) ?? []);
    if (unknown.length === 0) return;
    if (ctx.fieldValidation === 'Strict') {
      // Upstream's decoder wording: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ...`.
      const parts = unknown.map((f) => `unknown field "${f}"`);
      throw newBadRequest(`${this.#info.kind} in version "${this.#info.version}" cannot be handled as a ${this.#info.kind}: strict decoding error: ${parts.join(', ')}`);
    }
    for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  }

  validate(obj: KubeObject, errs: FieldError[]): void {
    if (errs.length) throw newInvalid(this.#info.kind, this.#info.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  validateUpdate(next: KubeObject, old: KubeObject, subresource?: string): void {
    const own = subresource ? this.#definition.strategy.subresources?.[subresource] : undefined;
    if (own) return this.validate(next, [...this.#opts.validateMeta(next, this.#info), ...own.validateUpdate(next, old)]);
    const errs =
      subresource === 'status' || subresource === 'approval'
        ? (this.#definition.strategy.validateStatusUpdate?.(next, old, subresource) ?? [])
        : [
            ...this.#opts.validateMeta(next, this.#info),
            ...(this.#definition.strategy.validate?.(next) ?? []),
            // Internal full writes (pod binding) set fields users may not change, as upstream's
            // BindingREST does without update validation.
            ...(subresource === INTERNAL_FULL_UPDATE ? [] : (this.#definition.strategy.validateUpdate?.(next, old) ?? [])),
          ];
    this.validate(next, errs);
  }

  /** placeInNamespace sets a new object's namespace from the request and refuses a missing or terminating one. */
  async placeInNamespace(meta: KubeObject['metadata'], ctx: RequestContext): Promise<void> {
    if (this.#info.namespaced) {
      if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace) {
        throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ctx.namespace ?? meta.namespace;
      if (!meta.namespace) throw newBadRequest('the server could not find the requested resource (namespace is required)');
      await this.#checkNamespaceWritable(meta.namespace, meta.name ?? meta.generateName ?? '');
    } else {
      delete meta.namespace;
    }
  }

  async #checkNamespaceWritable(namespace: string, name: string): Promise<void> {
    const state = await this.#opts.namespaceState(namespace);
    if (!state) throw newNotFound({ group: '', resource: 'namespaces' }, namespace);
    if (state === 'Terminating') {
      throw newForbidden(this.#gr, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  /** preconditions refuses a delete whose uid or resourceVersion precondition the object does not meet (409, upstream's words). */
  preconditions(current: KubeObject, pre: DeleteRequest['preconditions']): void {
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw newConflict(this.#gr, current.metadata.name ?? '', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw newConflict(this.#gr, current.metadata.name ?? '', `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
  }
}
