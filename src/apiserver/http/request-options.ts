// SPDX-License-Identifier: Apache-2.0
/**
 * Reading a resource request's options and bodies for the ResourceHandler:
 * the request context (fieldValidation, dryRun, fieldManager), query
 * parameters, object and DeleteOptions bodies, and the checks a patch
 * result passes, with upstream's messages.
 */
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../api/index.js';
import { isPlainObject } from '../../api/index.js';
import { field, newBadRequest, newInvalid, queryInt, queryOptionalBool, StatusError } from '../../machinery/index.js';
import { findTypeMismatch, goFormat, jsonDecodeMessage } from '../openapi/index.js';
import { parseIncludeObject } from '../printers/index.js';
import type { DeleteRequest } from '../registry/resource-registry.js';
import { newContext, type FieldValidation, type RequestContext, type UserInfo } from '../registry/request-context.js';
import { assertNestingDepth } from './nesting-depth.js';
import { decodeBody, mediaTypeOf, readBody } from './body.js';
import type { ResourceRequestInfo } from './request-info.js';
import { unrecognizedObjectMessage } from './decode-error.js';

export function contextFor(user: UserInfo, info: ResourceRequestInfo, query: URLSearchParams, userAgent: string | undefined): RequestContext {
  const fv = query.get('fieldValidation');
  let fieldValidation: FieldValidation = 'Warn';
  if (fv) {
    if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
      throw newBadRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(fv)}`);
    }
    fieldValidation = fv;
  }
  const dryRun = query.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw newBadRequest(`Invalid dry run value "${d}": valid values are "All"`);
  return newContext(user, info.namespace, { dryRun: dryRun.length > 0, fieldValidation, fieldManager: query.get('fieldManager') || undefined, userAgent: userAgent ?? '' });
}

/** parseForce reads the `force` parameter (a Go bool: true/false/1/0/t/f), undefined when absent. */
export function parseForce(query: URLSearchParams): boolean | undefined {
  const v = query.get('force');
  if (v === null) return undefined;
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(v)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False', ''].includes(v)) return false;
  throw newBadRequest(`invalid value for force: ${JSON.stringify(v)}`);
}

export function intParam(query: URLSearchParams, name: string): number | undefined {
  return queryInt(query, name, { min: 0 });
}

export function includeObjectOf(query: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  return parseIncludeObject(query.get('includeObject'));
}

export async function readObjectBody(req: IncomingMessage, kind: string): Promise<KubeObject> {
  const media = mediaTypeOf(req);
  if (media !== 'json' && media !== 'yaml' && media !== 'protobuf') throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  const buf = await readBody(req);
  let body: unknown;
  try {
    body = decodeBody(buf, media);
  } catch (err) {
    // JSON that does not parse: upstream cannot even read its kind and says what it expected.
    if (media === 'json' && err instanceof StatusError && err.message.startsWith("couldn't get version/kind")) {
      try {
        JSON.parse(buf.toString('utf8'));
      } catch (syntax) {
        throw newBadRequest(unrecognizedObjectMessage(kind, buf, syntax as Error));
      }
    }
    throw err;
  }
  if (!isPlainObject(body)) throw newBadRequest('the body of the request must be an object');
  return body as KubeObject;
}

export async function deleteOptionsOf(req: IncomingMessage, query: URLSearchParams): Promise<DeleteRequest & { dryRun?: boolean }> {
  const buf = await readBody(req);
  let body: Record<string, unknown> = {};
  if (buf.length && buf.toString().trim() !== '') {
    const parsed = decodeBody(buf, mediaTypeOf(req));
    if (!isPlainObject(parsed)) throw newBadRequest('DeleteOptions must be an object');
    body = parsed;
  }
  const grace = queryInt(query, 'gracePeriodSeconds') ?? body.gracePeriodSeconds;
  const policy = query.get('propagationPolicy') ?? body.propagationPolicy;
  if (policy !== undefined && policy !== null && !['Foreground', 'Background', 'Orphan'].includes(String(policy))) {
    throw newBadRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
  }
  const dry = query.getAll('dryRun').length > 0 || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
  return {
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : Number(grace),
    propagationPolicy: (policy ?? undefined) as DeleteRequest['propagationPolicy'],
    preconditions: isPlainObject(body.preconditions) ? (body.preconditions as DeleteRequest['preconditions']) : undefined,
    orphanDependents: queryOptionalBool(query, 'orphanDependents') ?? (typeof body.orphanDependents === 'boolean' ? body.orphanDependents : undefined),
    dryRun: dry,
  };
}

/**
 * patched bounds what a patch built: a JSON patch may add a value as deep as
 * the limit at a path as deep as the limit, and the result is walked
 * recursively next (validation, storage), so it is checked like a body.
 */
export function patched(result: unknown): KubeObject {
  assertNestingDepth(result);
  return result as KubeObject;
}

/**
 * checkPatchedTypes refuses a patch whose result has a wrongly typed field,
 * with upstream's 422 (patch.go): a strategic merge patch reports the patch
 * (Go's %+v of it) and the unstructured converter's words; JSON and merge
 * patches report the patched object and encoding/json's words.
 */
export function checkPatchedTypes(type: 'json' | 'merge' | 'strategic', apiVersion: string, kind: string, patch: unknown, patched: KubeObject): KubeObject {
  const m = findTypeMismatch(apiVersion, kind, patched);
  if (!m) return patched;
  const cause = type === 'strategic' ? field.invalid('patch', goFormat(patch), m.converterMessage) : field.invalid('patch', JSON.stringify(patched), jsonDecodeMessage(m));
  throw newInvalid('', '', '', [cause]);
}

