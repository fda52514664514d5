// SPDX-License-Identifier: Apache-2.0
/**
 * Server-side apply (PATCH with `application/apply-patch+yaml`), as
 * upstream's patch handler runs its applyPatcher: the options are checked
 * (`fieldManager` required, `force` only here), the body must decode into an
 * object of the endpoint's kind and version and carry no managedFields, and
 * an apply to a missing object creates it. Every failure happens before any
 * write.
 */
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../api/index.js';
import { apiVersionOf } from '../../api/index.js';
import { goJsonKind, isAlreadyExists, isNotFound, newBadRequest, newInvalid, validateFieldManager, type FieldError } from '../../machinery/index.js';
import type { RequestContext } from '../registry/request-context.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';

/** OptionsKind names the options object upstream validates for each write verb. */
export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/**
 * validateWriteOptions checks fieldManager (and, for PATCH, force) as
 * upstream's ValidateCreateOptions/ValidateUpdateOptions/ValidatePatchOptions,
 * answering 422 `PatchOptions.meta.k8s.io "" is invalid: ...`.
 */
export function validateWriteOptions(kind: OptionsKind, ctx: RequestContext, patch?: { apply: boolean; force: boolean }): void {
  const errs: FieldError[] = [];
  if (patch && !patch.apply && patch.force) errs.push({ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' });
  if (patch?.apply && !ctx.fieldManager) errs.push({ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' });
  if (ctx.fieldManager) errs.push(...validateFieldManager(ctx.fieldManager));
  if (errs.length) throw newInvalid(kind, 'meta.k8s.io', '', errs);
}

/** decodeApplyBody reads the YAML (or JSON) body into an object, with upstream's "error decoding YAML" wording. */
export function decodeApplyBody(text: string): KubeObject {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw newBadRequest(`error decoding YAML: error converting YAML to JSON: yaml: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) parsed = {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw newBadRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${goJsonKind(parsed)} into Go value of type map[string]interface {}`);
  }
  return parsed as KubeObject;
}

/** checkApplyObject refuses a configuration of another kind or version, or one carrying managedFields (versioncheck.go, structuredmerge.go). */
function checkApplyObject(reg: ResourceRegistry, config: KubeObject): void {
  const apiVersion = typeof config.apiVersion === 'string' ? config.apiVersion : '';
  const kind = typeof config.kind === 'string' ? config.kind : '';
  if (apiVersion !== apiVersionOf(reg.info) || kind !== reg.info.kind) {
    const slash = apiVersion.indexOf('/');
    const gv = slash < 0 ? `/${apiVersion}` : apiVersion;
    throw newBadRequest(`invalid object type: ${gv}, Kind=${kind}`);
  }
  const meta = config.metadata as unknown;
  if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) {
    throw newBadRequest(`error decoding YAML: metadata must be an object`);
  }
  if (config.metadata?.managedFields !== undefined && config.metadata.managedFields !== null) {
    throw newBadRequest('metadata.managedFields must be nil');
  }
}

/** AppliedObject is the stored (or, on dry run, would-be) object and whether the apply created it. */
export interface AppliedObject {
  object: KubeObject;
  created: boolean;
}

/**
 * serverSideApply applies `config` as `ctx.fieldManager` to the named object,
 * creating it when it does not exist (not for subresources). A created object
 * is answered with 201 as upstream's patch handler does (wasCreated).
 */
export async function serverSideApply(reg: ResourceRegistry, ctx: RequestContext, name: string, config: KubeObject, force: boolean, subresource?: string): Promise<AppliedObject> {
  checkApplyObject(reg, config);
  if (config.metadata?.name !== undefined && config.metadata.name !== name) {
    throw newBadRequest(`the name of the object (${String(config.metadata.name)}) does not match the name on the URL (${name})`);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return { object: await reg.patchWith(ctx, name, (current) => reg.managedFields.apply(ctx, current, config, force, subresource), subresource), created: false };
    } catch (err) {
      if (!isNotFound(err) || subresource || attempt > 0) throw err;
    }
    const empty: KubeObject = { apiVersion: apiVersionOf(reg.info), kind: reg.info.kind, metadata: { name } };
    if (reg.info.namespaced && ctx.namespace) empty.metadata.namespace = ctx.namespace;
    const obj = reg.managedFields.apply(ctx, empty, config, force, subresource);
    try {
      return { object: await reg.create(ctx, obj), created: true };
    } catch (err) {
      // Someone created it meanwhile: apply to theirs, as upstream's retry does.
      if (!isAlreadyExists(err)) throw err;
    }
  }
}
