// SPDX-License-Identifier: Apache-2.0
/**
 * Builders of the served OpenAPI documents: swagger 2.0 at /openapi/v2 (JSON,
 * or gnostic protobuf for kubectl's client-side validation), the OpenAPI 3.0
 * index at /openapi/v3 and one 3.0 document per group version at
 * /openapi/v3/<api/v1 | apis/<group>/<version> | ...>, from the served
 * resources and their definitions. openapi.ts caches what these build.
 */
import { createHash } from 'node:crypto';
import type { GroupVersions, ResourceInfo } from '../../api/index.js';
import { DEF, definitionName, groupPathPrefix, pascalGroup, tagOf, type DefinitionNameOf, type Operation, type Param, type PathItem } from './operations.js';
import { groupVersionPaths } from './resource-paths.js';
import { DEFINITION_REF_PREFIX, refName, type Definitions, type Schema } from './schema.js';
import type { SwaggerDocument } from './v2-merge.js';

export const builtinDefinitionName: DefinitionNameOf = (r) => definitionName(r.group, r.version, r.kind);

/** OpenAPISource is what the documents describe: served resources and the schemas of run-time kinds. */
export interface OpenAPISource {
  servedGroups(): GroupVersions[];
  resources(): readonly ResourceInfo[];
  /** schemaOf names a run-time kind's schema and gives its definitions; undefined for built-in kinds. */
  schemaOf?(r: ResourceInfo): { name: string; definitions: Definitions } | undefined;
  /** extraV3Paths are /openapi/v3 index entries served elsewhere (aggregated API servers' group/versions). */
  extraV3Paths?(): Record<string, { serverRelativeURL: string }>;
  /** extraV2Documents are aggregated API servers' swagger documents, in the order they are merged into /openapi/v2. */
  extraV2Documents?(): readonly SwaggerDocument[];
}

/** Rendered is a serialized document with its validators. */
export interface Rendered {
  body: Buffer;
  /** Quoted entity tag for the ETag header (`"<HASH>"`). */
  etag: string;
  /** Upper-case hex SHA-512 of the body, as used in `?hash=`. */
  hash: string;
}

const INFO = { title: 'Kubernetes', version: 'unversioned' };
export const JSON_TYPE = 'application/json';
const WATCH_TYPE = 'application/json;stream=watch';
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const CODE_TEXT: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };

export function render(doc: unknown): Rendered {
  return renderBytes(Buffer.from(JSON.stringify(doc)));
}

export function renderBytes(body: Buffer): Rendered {
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, etag: `"${hash}"`, hash };
}

/** discoveryOperation is a GET of a discovery document, which upstream also lists in OpenAPI. */
function discoveryOperation(operationId: string, description: string, tag: string, response: string): Operation {
  return { method: 'get', action: 'get', operationId, description, tag, params: [], response, extraCodes: [] };
}

function groupVersionResourcesPath(group: string, version: string): PathItem {
  const base = groupPathPrefix(group, version);
  const id = `${pascalGroup(group)}${version[0].toUpperCase()}${version.slice(1)}`;
  return { path: `${base}/`, params: [], operations: [discoveryOperation(`get${id}APIResources`, 'get available resources', tagOf(group, version), DEF.apiResourceList)] };
}

// ---- swagger 2.0 ----

function v2Param(p: Param): object {
  return { uniqueItems: true, ...p, ...(p.required ? { required: true } : {}) };
}

function v2Schema(def: string | undefined): Schema {
  return def ? { $ref: DEFINITION_REF_PREFIX + def } : { type: 'string' };
}

function v2Operation(o: Operation): object {
  const parameters: object[] = [];
  if (o.body) parameters.push({ name: 'body', in: 'body', required: true, schema: v2Schema(o.body) });
  parameters.push(...o.params.map(v2Param));
  const responses: Record<string, object> = { '200': { description: 'OK', schema: v2Schema(o.response) } };
  for (const code of o.extraCodes) responses[code] = { description: CODE_TEXT[code], schema: v2Schema(o.response) };
  responses['401'] = { description: 'Unauthorized' };
  return {
    description: o.description,
    consumes: o.patchTypes ? PATCH_TYPES : ['*/*'],
    produces: o.response ? (o.streams ? [JSON_TYPE, WATCH_TYPE] : [JSON_TYPE]) : ['*/*'],
    schemes: ['https'],
    tags: [o.tag],
    operationId: o.operationId,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
    'x-kubernetes-action': o.action,
    ...(o.gvk ? { 'x-kubernetes-group-version-kind': o.gvk } : {}),
  };
}

function v2PathItem(p: PathItem): object {
  const item: Record<string, unknown> = {};
  for (const o of p.operations) item[o.method] = v2Operation(o);
  if (p.params.length > 0) item.parameters = p.params.map(v2Param);
  return item;
}

function allPaths(src: OpenAPISource, nameOf: DefinitionNameOf): PathItem[] {
  const out: PathItem[] = [];
  const rows = src.resources();
  for (const g of src.servedGroups()) {
    for (const v of g.versions) out.push(groupVersionResourcesPath(g.group, v), ...groupVersionPaths(g.group, v, rows, nameOf));
  }
  return out;
}

export function v2Document(src: OpenAPISource, defs: Definitions, nameOf: DefinitionNameOf): object {
  const paths: Record<string, object> = {};
  for (const p of allPaths(src, nameOf)) paths[p.path] = v2PathItem(p);
  return {
    swagger: '2.0',
    info: INFO,
    paths,
    definitions: defs,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}

// ---- OpenAPI 3.0 ----

const V3_REF_PREFIX = '#/components/schemas/';

function v3Ref(def: string): Schema {
  return { $ref: V3_REF_PREFIX + def };
}

function v3Param(p: Param): object {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } };
}

function v3Content(def: string | undefined, streams: boolean | undefined): object {
  const schema = def ? v3Ref(def) : { type: 'string' };
  if (!def) return { '*/*': { schema } };
  return streams ? { [JSON_TYPE]: { schema }, [WATCH_TYPE]: { schema } } : { [JSON_TYPE]: { schema } };
}

function v3Operation(o: Operation): object {
  const responses: Record<string, object> = { '200': { description: 'OK', content: v3Content(o.response, o.streams) } };
  for (const code of o.extraCodes) responses[code] = { description: CODE_TEXT[code], content: v3Content(o.response, false) };
  let requestBody: object | undefined;
  if (o.body) {
    const types = o.patchTypes ? PATCH_TYPES : [JSON_TYPE];
    requestBody = { content: Object.fromEntries(types.map((t) => [t, { schema: v3Ref(o.body as string) }])), required: o.method !== 'delete' };
  }
  return {
    tags: [o.tag],
    description: o.description,
    operationId: o.operationId,
    ...(o.params.length > 0 ? { parameters: o.params.map(v3Param) } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
    'x-kubernetes-action': o.action,
    ...(o.gvk ? { 'x-kubernetes-group-version-kind': o.gvk } : {}),
  };
}

function v3PathItem(p: PathItem): object {
  const item: Record<string, unknown> = {};
  for (const o of p.operations) item[o.method] = v3Operation(o);
  if (p.params.length > 0) item.parameters = p.params.map(v3Param);
  return item;
}

/** referencedDefinitions returns the definitions the operations use, and everything those refer to. */
function referencedDefinitions(paths: PathItem[], defs: Definitions): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || !defs[name]) return;
    seen.add(name);
    walkRefs(defs[name], visit);
  };
  for (const p of paths) for (const o of p.operations) for (const d of [o.body, o.response]) if (d) visit(d);
  return [...seen].sort();
}

function walkRefs(s: Schema, visit: (name: string) => void): void {
  const name = refName(s);
  if (name) visit(name);
  for (const child of Object.values(s.properties ?? {})) walkRefs(child, visit);
  if (s.items) walkRefs(s.items, visit);
  if (typeof s.additionalProperties === 'object') walkRefs(s.additionalProperties, visit);
}

/**
 * v3Property converts one schema to 3.0 form. A `$ref` with siblings
 * (description, merge keys) becomes `allOf: [{$ref}]` plus the siblings, as
 * upstream's v3 documents write it: OpenAPI 3.0 ignores a `$ref`'s siblings,
 * and kubectl explain shows the field's own description only in this form.
 */
function v3Property(s: Schema): Schema {
  const out: Schema = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, v3Property(v)]));
  if (s.items) out.items = v3Property(s.items);
  if (typeof s.additionalProperties === 'object') out.additionalProperties = v3Property(s.additionalProperties);
  const name = refName(s);
  if (!name) return out;
  delete out.$ref;
  const ref = v3Ref(name);
  return Object.keys(out).length === 0 ? ref : { allOf: [ref], ...out };
}

/** v3Schemas converts definitions to 3.0 form: refs into components, Quantity and IntOrString as oneOf, as upstream. */
function v3Schemas(names: string[], defs: Definitions): Record<string, unknown> {
  const out: Record<string, Schema> = {};
  for (const n of names) out[n] = v3Property(defs[n]);
  const quantity = out['io.k8s.apimachinery.pkg.api.resource.Quantity'];
  if (quantity) out['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { description: quantity.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
  const ios = out['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  if (ios) out['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { description: ios.description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
  return out;
}

export function v3Document(paths: PathItem[], defs: Definitions): object {
  const pathMap: Record<string, object> = {};
  for (const p of paths) pathMap[p.path] = v3PathItem(p);
  return {
    openapi: '3.0.0',
    info: INFO,
    paths: pathMap,
    components: {
      schemas: v3Schemas(referencedDefinitions(paths, defs), defs),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
    security: [{ BearerToken: [] }],
  };
}

/** v3PathsByDocument lists, per index key (`api/v1`, `apis/apps`, ...), the paths its document holds. */
export function v3PathsByDocument(src: OpenAPISource, nameOf: DefinitionNameOf): Map<string, PathItem[]> {
  const docs = new Map<string, PathItem[]>();
  docs.set('api', [{ path: '/api/', params: [], operations: [discoveryOperation('getCoreAPIVersions', 'get available API versions', 'core', DEF.apiVersions)] }]);
  docs.set('apis', [{ path: '/apis/', params: [], operations: [discoveryOperation('getAPIVersions', 'get available API versions', 'apis', DEF.apiGroupList)] }]);
  const rows = src.resources();
  for (const g of src.servedGroups()) {
    if (g.group !== '') {
      const id = pascalGroup(g.group);
      const tag = `${id[0].toLowerCase()}${id.slice(1)}`;
      docs.set(`apis/${g.group}`, [{ path: `/apis/${g.group}/`, params: [], operations: [discoveryOperation(`get${id}APIGroup`, 'get information of a group', tag, DEF.apiGroup)] }]);
    }
    for (const v of g.versions) {
      const key = groupPathPrefix(g.group, v).slice(1);
      docs.set(key, [groupVersionResourcesPath(g.group, v), ...groupVersionPaths(g.group, v, rows, nameOf)]);
    }
  }
  docs.set('version', [{ path: '/version/', params: [], operations: [discoveryOperation('getCodeVersion', 'get the version information for this server', 'version', DEF.versionInfo)] }]);
  return docs;
}
