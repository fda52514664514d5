// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, apiVersionOf } from '../../api/resources.js';
import { openAPIV2, openAPIV2Json, openAPIV3Index, openAPIV3IndexJson, openAPIV3Json } from './openapi.js';

interface Op {
  parameters?: Array<{ name: string }>;
  'x-kubernetes-action'?: string;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
}
interface Doc {
  paths: Record<string, Record<string, Op>>;
  components?: { schemas: Record<string, unknown> };
  definitions?: Record<string, unknown>;
}

function v3(key: string): Doc {
  const r = openAPIV3Json(key);
  assert.ok(r, key);
  return JSON.parse(r.body.toString()) as Doc;
}

describe('openAPIV3Index', () => {
  it('lists the core, every group and every group version with a content hash', () => {
    const { paths } = openAPIV3Index();
    for (const key of ['api', 'apis', 'api/v1', 'apis/apps', 'apis/apps/v1', 'apis/autoscaling/v1', 'apis/autoscaling/v2', 'apis/rbac.authorization.k8s.io/v1', 'version']) {
      assert.ok(paths[key], key);
      const doc = openAPIV3Json(key);
      assert.ok(doc);
      assert.equal(paths[key].serverRelativeURL, `/openapi/v3/${key}?hash=${doc.hash}`);
      assert.equal(doc.hash, createHash('sha512').update(doc.body).digest('hex').toUpperCase());
      assert.equal(doc.etag, `"${doc.hash}"`);
    }
    assert.equal(paths['apis/apps/v2'], undefined);
    assert.deepEqual(JSON.parse(openAPIV3IndexJson().body.toString()), openAPIV3Index());
  });

  it('resolves keys written with a prefix and answers undefined for unknown ones', () => {
    assert.equal(openAPIV3Json('/openapi/v3/apis/apps/v1'), openAPIV3Json('apis/apps/v1'));
    assert.equal(openAPIV3Json('apis/nothing/v1'), undefined);
  });
});

describe('OpenAPI v3 group-version documents', () => {
  it('give every kind a PATCH operation with its GVK and the fieldValidation parameter', () => {
    // kubectl sends fieldValidation=Strict only if the first PATCH operation it finds for the kind lists the parameter.
    for (const r of RESOURCES.filter((x) => x.verbs.includes('patch'))) {
      const doc = v3(apiVersionOf(r).includes('/') ? `apis/${apiVersionOf(r)}` : 'api/v1');
      const patches = Object.values(doc.paths).map((p) => p.patch).filter((o): o is Op => {
        const g = o?.['x-kubernetes-group-version-kind'];
        return g?.group === r.group && g.version === r.version && g.kind === r.kind;
      });
      assert.ok(patches.length > 0, `${r.kind} has a PATCH operation`);
      for (const p of patches) {
        const names = (p.parameters ?? []).map((x) => x.name);
        for (const want of ['fieldValidation', 'dryRun', 'fieldManager']) assert.ok(names.includes(want), `${r.kind} PATCH lists ${want}`);
      }
    }
  });

  it('hold only their own paths and every schema their refs reach', () => {
    const doc = v3('apis/apps/v1');
    assert.ok(Object.keys(doc.paths).every((p) => p.startsWith('/apis/apps/v1/')));
    assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch);
    const schemas = doc.components?.schemas ?? {};
    assert.ok(schemas['io.k8s.api.apps.v1.Deployment']);
    assert.equal(schemas['io.k8s.api.batch.v1.Job'], undefined);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    for (const ref of refs) assert.ok(schemas[ref], `dangling ref ${ref}`);
  });

  it('write refs with siblings as allOf and IntOrString as oneOf, as upstream does', () => {
    const schemas = v3('apis/apps/v1').components?.schemas as Record<string, { properties?: Record<string, Record<string, unknown>>; oneOf?: unknown }>;
    const strategy = schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties?.strategy;
    assert.deepEqual(strategy?.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }]);
    assert.equal(strategy?.['x-kubernetes-patch-strategy'], 'retainKeys');
    assert.deepEqual(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf, [{ type: 'integer' }, { type: 'string' }]);
  });
});

describe('openAPIV2', () => {
  it('documents every resource path with its action and GVK', () => {
    const doc = openAPIV2() as Doc;
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.equal(item.get['x-kubernetes-action'], 'get');
    assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.equal(doc.paths['/api/v1/pods'].get['x-kubernetes-action'], 'list');
    assert.equal(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec'].post['x-kubernetes-action'], 'connect');
    assert.equal(doc.paths['/api/v1/nodes'].delete['x-kubernetes-action'], 'deletecollection');
    assert.equal(doc.paths['/api/v1/namespaces'].delete, undefined, 'namespaces have no deletecollection');
    assert.ok(doc.definitions?.['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  });

  it('is serialized once with a stable ETag', () => {
    const a = openAPIV2Json();
    assert.equal(openAPIV2Json(), a);
    assert.match(a.etag, /^"[0-9A-F]{128}"$/);
  });
});
