// SPDX-License-Identifier: Apache-2.0
/**
 * fast-check arbitraries of hostile API requests, as a broken or malicious
 * client sends them: every served resource and verb, names with `..`, `%00`
 * and 300 characters, bad selectors, resourceVersions, continue tokens and
 * option values, and bodies that are truncated, deep, huge, invalid UTF-8,
 * in the wrong media type, or valid objects with one field of the wrong type.
 * Destructive requests stay inside the fuzz namespaces and `fuzz-` names, so
 * the server under test keeps its own objects.
 */
import fc from 'fast-check';
import { RESOURCES, type ResourceInfo } from '../../src/api/resources.js';
import { definitions, resolveSchema, type Schema } from '../../src/apiserver/openapi/schema.js';
import { schemaFor } from '../../src/apiserver/openapi/unknown-fields.js';

/** FuzzRequest is one generated request. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  resource: ResourceInfo;
  /** name is the object the request targets (undefined for collections). */
  name?: string;
  namespace?: string;
}

export const FUZZ_NAMESPACES = ['fuzz-a', 'fuzz-b'];
export const SEED_NAMES = ['fuzz-x', 'fuzz-y'];

const hostileNames = ['..', '.', '%2E%2E', '%00', 'a%00b', 'x'.repeat(300), 'UPPER', 'a_b', '-lead', 'ünï', '%E0%A4%A', 'a%2Fb', ' sp', 'fuzz-x?', 'fuzz-x#'];
const names = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...SEED_NAMES, 'fuzz-new') }, fc.constantFrom(...hostileNames), fc.string({ maxLength: 12 }).map(encodeURIComponent));

const selectors = fc.constantFrom('a in (', 'a in ()', '!', 'a,,b', 'a=b=c', '=', 'a notin (x', 'x'.repeat(70) + '=1', 'a=' + 'v'.repeat(70), 'a in (b,c)', 'app=fuzz', '!a', 'a!=b', 'a>1', 'a<', 'metadata.name==', 'spec.nodeName=x', 'status.phase!=Running', 'bogus.field=1', '(((', 'a=%ff');
const resourceVersions = fc.constantFrom('abc', '-1', '0', '1', '99999999999', '1.5', '', '18446744073709551616', ' 1', '0x10', 'null');
const continues = fc.oneof(fc.constantFrom('garbage', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiIn0', '%%%', ''), fc.base64String({ maxLength: 40 }));
const optionValues = fc.constantFrom('Bogus', '', 'all', 'All', 'Strict', 'Warn', 'Ignore', 'Foreground', 'Orphan', 'true', 'false', '1', '-1', '999999999999', 'None', 'Object', 'Metadata');

const queryParams = fc.array(
  fc.oneof(
    selectors.map((v) => ['labelSelector', v]),
    selectors.map((v) => ['fieldSelector', v]),
    resourceVersions.map((v) => ['resourceVersion', v]),
    fc.constantFrom('NotOlderThan', 'Exact', 'Bogus').map((v) => ['resourceVersionMatch', v]),
    continues.map((v) => ['continue', v]),
    fc.constantFrom('0', '-1', 'abc', '500', '99999999999999').map((v) => ['limit', v]),
    optionValues.map((v) => ['propagationPolicy', v]),
    optionValues.map((v) => ['dryRun', v]),
    optionValues.map((v) => ['fieldValidation', v]),
    optionValues.map((v) => ['gracePeriodSeconds', v]),
    optionValues.map((v) => ['includeObject', v]),
    optionValues.map((v) => ['orphanDependents', v]),
    fc.constantFrom('1', 'true', '0', 'bogus').map((v) => ['allowWatchBookmarks', v]),
    fc.constantFrom('1', 'true', 'bogus').map((v) => ['sendInitialEvents', v]),
    fc.constantFrom('0', '-1', 'x').map((v) => ['timeoutSeconds', v]),
  ),
  { maxLength: 4 },
);

const mediaTypes = fc.constantFrom(
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16',
  '',
  '*/*',
);

/** fieldPaths lists up to 4 levels of a kind's declared fields (arrays step into their first element). */
function fieldPaths(r: ResourceInfo): string[][] {
  const found = schemaFor(r.group ? `${r.group}/${r.version}` : r.version, r.kind);
  if (!found) return [['spec'], ['data'], ['metadata', 'labels']];
  const defs = definitions();
  const out: string[][] = [];
  const walk = (s: Schema, path: string[]): void => {
    if (path.length > 4 || out.length > 400) return;
    const rs = resolveSchema(s, defs);
    if (path.length) out.push(path);
    if (rs.items) walk(rs.items, [...path, '0']);
    for (const [k, child] of Object.entries(rs.properties ?? {})) walk(child, [...path, k]);
    if (typeof rs.additionalProperties === 'object') walk(rs.additionalProperties, [...path, 'k']);
  };
  walk(found.schema, []);
  return out;
}

const pathsByKind = new Map<string, string[][]>();
function pathsOf(r: ResourceInfo): string[][] {
  const key = `${r.group}/${r.kind}`;
  let p = pathsByKind.get(key);
  if (!p) pathsByKind.set(key, (p = fieldPaths(r)));
  return p;
}

const wrongValues = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 1e308, -9007199254740993, '', 'x', '1Gi', '100m', '1e3', 'NaN', [], {}, [1], { a: 1 }, 'a'.repeat(1000), '\u0000', '\uD800'),
  fc.jsonValue({ maxDepth: 3 }),
);

/** objectFor builds an object of the resource's kind with one field (or a few) set to a wrongly typed value. */
function objectFor(r: ResourceInfo, name: string, namespace: string | undefined): fc.Arbitrary<Record<string, unknown>> {
  const base = (): Record<string, unknown> => ({
    apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
    kind: r.kind,
    metadata: { name: decodeURIComponent(safeDecode(name)), ...(namespace ? { namespace } : {}), labels: { app: 'fuzz' } },
  });
  return fc.array(fc.tuple(fc.constantFrom(...pathsOf(r)), wrongValues), { maxLength: 2 }).map((edits) => {
    const obj = base();
    // Cloned: constantFrom hands out the same [] and {} each time, and a later edit may write inside them.
    for (const [path, value] of edits) setPath(obj, path, structuredClone(value));
    return obj;
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s) === s ? s : encodeURIComponent(decodeURIComponent(s));
  } catch {
    return encodeURIComponent(s);
  }
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    const nextIsIndex = path[i + 1] === '0';
    const existing = (cur as Record<string, unknown>)[k];
    if (typeof existing !== 'object' || existing === null) (cur as Record<string, unknown>)[k] = nextIsIndex ? [] : {};
    cur = (cur as Record<string, unknown>)[k] as Record<string, unknown>;
  }
  (cur as Record<string, unknown>)[path[path.length - 1]] = value;
}

const deep = fc.integer({ min: 400, max: 6000 }).chain((n) => fc.constantFrom('['.repeat(n) + ']'.repeat(n), '{"a":'.repeat(n) + '1' + '}'.repeat(n), '- '.repeat(n) + 'x', `{"spec":${'['.repeat(n)}${']'.repeat(n)}}`));

const patchOps = fc.array(
  fc.record({
    op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
    path: fc.constantFrom('/metadata/labels/a', '/spec', '/data', '/metadata/name', '/', '', '/a/b/c', '/metadata/labels/~1x', '/spec/containers/-', '/metadata/finalizers/0', '/status'),
    from: fc.option(fc.constantFrom('/metadata/labels', '/data', '/x'), { nil: undefined }),
    value: wrongValues,
  }),
  { maxLength: 4 },
);

/** bodyFor picks a body: a mutated object in some encoding, a patch, garbage, or a boundary case. */
function bodyFor(r: ResourceInfo, name: string, namespace: string | undefined): fc.Arbitrary<Buffer | undefined> {
  const obj = objectFor(r, name, namespace);
  return fc.oneof(
    { weight: 6, arbitrary: obj.map((o) => Buffer.from(JSON.stringify(o))) },
    { weight: 2, arbitrary: obj.chain((o) => fc.nat(JSON.stringify(o).length).map((n) => Buffer.from(JSON.stringify(o).slice(0, n)))) },
    { weight: 2, arbitrary: obj.map((o) => Buffer.from(toYamlish(o))) },
    { weight: 2, arbitrary: patchOps.map((ops) => Buffer.from(JSON.stringify(ops))) },
    { weight: 1, arbitrary: deep.map((d) => Buffer.from(d)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from(b)])) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: obj.map((o) => Buffer.concat([Buffer.from(JSON.stringify(o).slice(0, -2)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, Buffer.alloc(0), Buffer.from('null'), Buffer.from('"str"'), Buffer.from('123'), Buffer.from('{}'), Buffer.from('[]')) },
    { weight: 1, arbitrary: fc.constant(hugeBody()) },
  );
}

let huge: Buffer | undefined;
/** hugeBody is one JSON object just over the 3 MiB body limit (built once, shared). */
function hugeBody(): Buffer {
  return (huge ??= Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzz-huge' }, data: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } })));
}

/** toYamlish writes JSON as YAML flow style (YAML is a superset of JSON) with a block header, so both parsers' paths are hit. */
function toYamlish(o: Record<string, unknown>): string {
  return `# fuzz\n${Object.entries(o).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n')}\n`;
}

const resources = RESOURCES.filter((r) => r.verbs.length > 0);
const methods = fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'BOGUS');

/** fuzzRequest generates one request against any served resource. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    resource: fc.constantFrom(...resources),
    method: methods,
    name: fc.option(names, { freq: 2, nil: undefined }),
    namespace: fc.constantFrom(...FUZZ_NAMESPACES, ...FUZZ_NAMESPACES, 'fuzz-missing'),
    sub: fc.option(fc.constantFrom('status', 'scale', 'finalize', 'bogus', 'binding', 'eviction', 'log'), { freq: 8, nil: undefined }),
    query: queryParams,
    watch: fc.boolean(),
    media: mediaTypes,
  })
  .chain((g) => {
    const ns = g.resource.namespaced ? g.namespace : undefined;
    // Collections of cluster-scoped resources are never deleted: a selector matching nothing is not guaranteed.
    const name = g.name ?? (g.method === 'DELETE' && !ns ? 'fuzz-x' : undefined);
    return bodyFor(g.resource, name ?? 'fuzz-new', ns).map((body) => {
      const base = g.resource.group ? `/apis/${g.resource.group}/${g.resource.version}` : `/api/${g.resource.version}`;
      // Hostile names are sent as escapes or as printable ASCII; Node's client refuses raw spaces and non-ASCII in a path.
      const urlName = name && encodeURI(name).replace(/%25/g, '%');
      let path = `${base}${ns ? `/namespaces/${ns}` : ''}/${g.resource.plural}${urlName ? `/${urlName}` : ''}${name && g.sub ? `/${g.sub}` : ''}`;
      const query = new URLSearchParams(g.query as [string, string][]);
      if (g.watch && g.method === 'GET') query.set('watch', '1');
      if (g.method === 'DELETE' && !name) query.set('labelSelector', 'fuzz-never=1');
      const qs = query.toString();
      if (qs) path += `?${qs}`;
      const sendsBody = g.method !== 'GET' && g.method !== 'HEAD';
      const headers: Record<string, string> = {};
      if (sendsBody && body && g.media) headers['Content-Type'] = g.media;
      return { method: g.method, path, headers, body: sendsBody ? body : undefined, resource: g.resource, name, namespace: ns };
    });
  });
