// SPDX-License-Identifier: Apache-2.0
/**
 * Decodes the protobuf form of /openapi/v2 with an independent decoder
 * (protobufjs, from a schema written here with gnostic's field numbers) and
 * checks it against the JSON document: every definition must come back
 * unchanged, and the paths must carry what client-go reads.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import { encodeGnosticDocument } from './gnostic-v2.js';
import { openAPIV2, openAPIV2Json, openAPIV2Protobuf } from './openapi.js';
import type { Definitions, Schema } from './schema.js';

/** The part of gnostic's openapi.v2 package these tests read, with its field numbers. */
const GNOSTIC_SUBSET = `
syntax = "proto3";
package openapi.v2;
message Any { string yaml = 2; }
message NamedAny { string name = 1; Any value = 2; }
message Info { string title = 1; string version = 2; }
message Document {
  string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9;
  repeated SecurityRequirement security = 12; SecurityDefinitions security_definitions = 13;
  repeated NamedAny vendor_extension = 16;
}
message Paths { repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2; }
message NamedPathItem { string name = 1; PathItem value = 2; }
message PathItem {
  Operation get = 2; Operation put = 3; Operation post = 4; Operation delete = 5; Operation patch = 8;
  repeated ParametersItem parameters = 9;
}
message Operation {
  repeated string tags = 1; string description = 3; string operation_id = 5; repeated string produces = 6;
  repeated string consumes = 7; repeated ParametersItem parameters = 8; Responses responses = 9;
  repeated string schemes = 10; repeated NamedAny vendor_extension = 13;
}
message ParametersItem { oneof oneof { Parameter parameter = 1; JsonReference json_reference = 2; } }
message JsonReference { string _ref = 1; }
message Parameter { oneof oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }
message BodyParameter { string name = 2; string in = 3; bool required = 4; Schema schema = 5; }
message NonBodyParameter { oneof oneof { QuerySub query_parameter_sub_schema = 3; PathSub path_parameter_sub_schema = 4; } }
message QuerySub { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 6; bool unique_items = 20; }
message PathSub { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 5; bool unique_items = 19; }
message Responses { repeated NamedResponseValue response_code = 1; }
message NamedResponseValue { string name = 1; ResponseValue value = 2; }
message ResponseValue { oneof oneof { Response response = 1; JsonReference json_reference = 2; } }
message Response { string description = 1; SchemaItem schema = 2; }
message SchemaItem { oneof oneof { Schema schema = 1; } }
message Definitions { repeated NamedSchema additional_properties = 1; }
message Properties { repeated NamedSchema additional_properties = 1; }
message NamedSchema { string name = 1; Schema value = 2; }
message AdditionalPropertiesItem { oneof oneof { Schema schema = 1; bool boolean = 2; } }
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }
message Schema {
  string _ref = 1; string format = 2; string description = 4; Any default = 5; double maximum = 7;
  int64 max_length = 11; repeated string required = 19; repeated Any enum = 20;
  AdditionalPropertiesItem additional_properties = 21; TypeItem type = 22; ItemsItem items = 23;
  repeated Schema all_of = 24; Properties properties = 25; repeated NamedAny vendor_extension = 31;
}
message SecurityRequirement { repeated NamedStringArray additional_properties = 1; }
message NamedStringArray { string name = 1; StringArray value = 2; }
message StringArray { repeated string value = 1; }
message SecurityDefinitions { repeated NamedSecurityDefinitionsItem additional_properties = 1; }
message NamedSecurityDefinitionsItem { string name = 1; SecurityDefinitionsItem value = 2; }
message SecurityDefinitionsItem { oneof oneof { ApiKeySecurity api_key_security = 2; } }
message ApiKeySecurity { string type = 1; string name = 2; string in = 3; string description = 4; }
`;

const root = protobuf.parse(GNOSTIC_SUBSET, { keepCase: true }).root;

/** Decoded messages as protobufjs plain objects (field names as written above). */
type Msg = Record<string, unknown>;

function decode(type: string, bytes: Uint8Array): Msg {
  const t = root.lookupType(`openapi.v2.${type}`);
  return t.toObject(t.decode(bytes), { defaults: false, longs: Number, oneofs: true }) as Msg;
}

const list = (v: unknown): Msg[] => (Array.isArray(v) ? (v as Msg[]) : []);
const yamlOf = (any: unknown): unknown => parseYaml(String((any as Msg).yaml));

/** toJsonSchema turns a decoded gnostic Schema back into the JSON form of schema.ts. */
function toJsonSchema(m: Msg): Schema {
  const out: Record<string, unknown> = {};
  if (m.description !== undefined) out.description = m.description;
  const types = list((m.type as Msg | undefined)?.value);
  if (types.length > 0) out.type = types[0];
  if (m.format !== undefined) out.format = m.format;
  if (m._ref !== undefined) out.$ref = m._ref;
  const props = (m.properties as Msg | undefined)?.additional_properties;
  if (m.properties) out.properties = Object.fromEntries(list(props).map((p) => [p.name, toJsonSchema(p.value as Msg)]));
  if (m.required) out.required = m.required;
  const extra = m.additional_properties as Msg | undefined;
  if (extra) out.additionalProperties = extra.oneof === 'boolean' ? extra.boolean : toJsonSchema(extra.schema as Msg);
  const items = list((m.items as Msg | undefined)?.schema);
  if (items.length > 0) out.items = toJsonSchema(items[0]);
  if (m.enum) out.enum = list(m.enum).map(yamlOf);
  for (const ext of list(m.vendor_extension)) out[String(ext.name)] = yamlOf(ext.value);
  return out as Schema;
}

/** sortKeys makes two schemas comparable regardless of key order at every level. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)]));
}

const json = openAPIV2() as { definitions: Definitions; paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>> };
const doc = decode('Document', openAPIV2Protobuf().body);

describe('encodeGnosticDocument on the served document', () => {
  it('keeps swagger, info and every definition exactly, in document order', () => {
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'unversioned' });
    const defs = list((doc.definitions as Msg).additional_properties);
    assert.deepEqual(defs.map((d) => d.name), Object.keys(json.definitions));
    for (const d of defs) {
      const name = String(d.name);
      assert.deepEqual(sortKeys(toJsonSchema(d.value as Msg)), sortKeys(json.definitions[name]), name);
    }
  });

  it('carries x-kubernetes-group-version-kind as YAML that parses to the GVK list', () => {
    const defs = list((doc.definitions as Msg).additional_properties);
    const deployment = defs.find((d) => d.name === 'io.k8s.api.apps.v1.Deployment')?.value as Msg;
    const gvk = list(deployment.vendor_extension).find((e) => e.name === 'x-kubernetes-group-version-kind');
    assert.ok(gvk);
    assert.deepEqual(yamlOf(gvk.value), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  });

  it('encodes every path with its operations, parameters and responses', () => {
    const paths = list((doc.paths as Msg).path);
    assert.deepEqual(paths.map((p) => p.name), Object.keys(json.paths));
    const item = paths.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')?.value as Msg;
    const patch = item.patch as Msg;
    assert.equal(patch.operation_id, 'patchAppsV1NamespacedDeployment');
    assert.ok((patch.consumes as string[]).includes('application/apply-patch+yaml'));
    const gvk = list(patch.vendor_extension).find((e) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(yamlOf(gvk?.value), { group: 'apps', kind: 'Deployment', version: 'v1' });
    const params = list(patch.parameters).map((p) => (p.parameter as Msg));
    const body = params[0].body_parameter as Msg;
    assert.deepEqual(body, { name: 'body', in: 'body', required: true, schema: { _ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
    const query = params.map((p) => (p.non_body_parameter as Msg | undefined)?.query_parameter_sub_schema as Msg | undefined).filter((q) => q);
    assert.ok(query.some((q) => q?.name === 'fieldValidation' && q.type === 'string' && q.in === 'query' && q.unique_items === true));
    const shared = list(item.parameters).map((p) => ((p.parameter as Msg).non_body_parameter as Msg).path_parameter_sub_schema as Msg | undefined);
    assert.ok(shared.some((p) => p?.name === 'name' && p.required === true && p.type === 'string'));
    const ok = list((patch.responses as Msg).response_code).find((r) => r.name === '200')?.value as Msg;
    assert.deepEqual(ok.response, { description: 'OK', schema: { schema: { _ref: '#/definitions/io.k8s.api.apps.v1.Deployment' }, oneof: 'schema' } });
  });

  it('encodes security and its definitions', () => {
    const req = list(doc.security)[0];
    assert.deepEqual(list(req.additional_properties)[0], { name: 'BearerToken', value: {} });
    const scheme = list((doc.security_definitions as Msg).additional_properties)[0];
    assert.equal(scheme.name, 'BearerToken');
    assert.deepEqual((scheme.value as Msg).api_key_security, { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' });
  });

  it('is built once and hashed on its own bytes', () => {
    assert.equal(openAPIV2Protobuf(), openAPIV2Protobuf());
    assert.notEqual(openAPIV2Protobuf().etag, openAPIV2Json().etag);
    assert.match(openAPIV2Protobuf().etag, /^"[0-9A-F]{128}"$/);
  });
});

describe('encodeGnosticDocument on edge shapes', () => {
  it('writes oneof booleans even when false, empty properties, enums, defaults and numbers', () => {
    const bytes = encodeGnosticDocument({
      swagger: '2.0',
      definitions: {
        closed: { type: 'object', additionalProperties: false, properties: {} },
        open: { type: 'object', additionalProperties: true },
        choice: { type: 'string', enum: ['no', 'yes'], default: 'no', maxLength: 5, maximum: -1.5 },
      },
      'x-note': { on: 'off' },
    });
    const d = decode('Document', bytes);
    const defs = Object.fromEntries(list((d.definitions as Msg).additional_properties).map((n) => [n.name, n.value as Msg]));
    assert.deepEqual(defs.closed.additional_properties, { boolean: false, oneof: 'boolean' });
    assert.deepEqual(defs.closed.properties, {}, 'an empty properties map is still present');
    assert.deepEqual(defs.open.additional_properties, { boolean: true, oneof: 'boolean' });
    // Strings stay strings when read as YAML 1.1, where a bare `no` would be false.
    assert.deepEqual(list(defs.choice.enum).map((e) => e.yaml), ['"no"\n', '"yes"\n']);
    assert.equal((defs.choice.default as Msg).yaml, '"no"\n');
    assert.equal(defs.choice.max_length, 5);
    assert.equal(defs.choice.maximum, -1.5);
    assert.deepEqual(list(d.vendor_extension), [{ name: 'x-note', value: { yaml: '{"on":"off"}\n' } }]);
  });

  it('encodes a $ref parameter and a $ref response as JSON references', () => {
    const bytes = encodeGnosticDocument({
      swagger: '2.0',
      paths: { '/x': { get: { parameters: [{ $ref: '#/parameters/p' }], responses: { default: { $ref: '#/responses/r' } } } } },
    });
    const get = (list((decode('Document', bytes).paths as Msg).path)[0].value as Msg).get as Msg;
    assert.deepEqual(list(get.parameters)[0], { json_reference: { _ref: '#/parameters/p' }, oneof: 'json_reference' });
    assert.deepEqual(list((get.responses as Msg).response_code)[0], { name: 'default', value: { json_reference: { _ref: '#/responses/r' }, oneof: 'json_reference' } });
  });
});
