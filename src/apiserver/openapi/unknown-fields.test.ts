// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, apiVersionOf } from '../../api/resources.js';
import { definitions, type Schema } from './schema.js';
import { findUnknownFields, schemaFor } from './unknown-fields.js';
import { findTypeMismatch } from './type-errors.js';

const deployment = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'a.b/c': 'd' } },
  spec,
  ...extra,
});

const template = (container: Record<string, unknown>) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx', ...container }] },
});

describe('findUnknownFields', () => {
  it('accepts a complete, valid object', () => {
    const obj = deployment({
      replicas: 2,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: template({ ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: '1Gi' } }, env: [{ name: 'A', value: 'b' }] }),
    }, { status: { replicas: 2, conditions: [{ type: 'Available', status: 'True' }] } });
    assert.deepEqual(findUnknownFields('apps/v1', 'Deployment', obj), []);
  });

  it('reports unknown fields with dotted paths and list indices', () => {
    const obj = deployment({
      replicasx: 2,
      selector: { matchLabels: { app: 'web' } },
      template: template({ imagex: 'y', ports: [{ containerPort: 80 }, { containerPort: 81, hostPortx: 1 }] }),
    }, { extra: true });
    assert.deepEqual(findUnknownFields('apps/v1', 'Deployment', obj), [
      'spec.replicasx',
      'spec.template.spec.containers[0].imagex',
      'spec.template.spec.containers[0].ports[1].hostPortx',
      'extra',
    ]);
  });

  it('reports unknown metadata fields but accepts any map keys', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labelz: {} }, data: { anything: 'goes', 'with.dots': 'too' } };
    assert.deepEqual(findUnknownFields('v1', 'ConfigMap', obj), ['metadata.labelz']);
  });

  it('validates the values of maps of structs', () => {
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], overhead: { cpu: '1' } } };
    assert.deepEqual(findUnknownFields('v1', 'Pod', obj), []);
  });

  it('treats free-form objects (RawExtension, FieldsV1) as accepting anything', () => {
    const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r', managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:x': {} } } }] }, revision: 1, data: { spec: { anything: 1 } } };
    assert.deepEqual(findUnknownFields('apps/v1', 'ControllerRevision', rev), []);
  });

  it('does not judge values of the wrong type or kinds it does not know', () => {
    assert.deepEqual(findUnknownFields('apps/v1', 'Deployment', deployment({ replicas: 'two', template: 'x' })), []);
    assert.deepEqual(findUnknownFields('example.com/v1', 'Widget', { spec: { anything: 1 } }), []);
  });
});

describe('schemaFor', () => {
  it('finds a schema for every served kind', () => {
    for (const r of RESOURCES) {
      const found = schemaFor(apiVersionOf(r), r.kind);
      assert.ok(found, `${apiVersionOf(r)} ${r.kind}`);
      assert.ok(found.schema.properties?.metadata, `${r.kind} has metadata`);
    }
  });

  it('tells versions of a kind apart', () => {
    assert.equal(schemaFor('autoscaling/v1', 'HorizontalPodAutoscaler')?.name, 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler');
    assert.equal(schemaFor('autoscaling/v2', 'HorizontalPodAutoscaler')?.name, 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler');
    assert.equal(schemaFor('v1', 'Event')?.name, 'io.k8s.api.core.v1.Event');
    assert.equal(schemaFor('events.k8s.io/v1', 'Event')?.name, 'io.k8s.api.events.v1.Event');
  });

  it('carries upstream merge keys, list types and required fields', () => {
    const spec = findDefinition('io.k8s.api.core.v1.PodSpec');
    assert.equal(spec.properties?.containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(spec.properties?.containers['x-kubernetes-patch-strategy'], 'merge');
    assert.deepEqual(spec.required, ['containers']);
    const container = findDefinition('io.k8s.api.core.v1.Container');
    assert.deepEqual(container.properties?.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.equal(container.properties?.volumeMounts['x-kubernetes-patch-merge-key'], 'mountPath');
    assert.deepEqual(container.required, ['name']);
    const dspec = findDefinition('io.k8s.api.apps.v1.DeploymentSpec');
    assert.deepEqual(dspec.required, ['selector', 'template']);
    assert.deepEqual(dspec.properties?.replicas, { description: dspec.properties?.replicas.description, type: 'integer', format: 'int32' });
    assert.equal(findDefinition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').properties?.generation.format, 'int64');
    assert.equal(findDefinition('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector')['x-kubernetes-map-type'], 'atomic');
  });
});

function findDefinition(name: string): Schema {
  const s = definitions()[name];
  assert.ok(s, name);
  return s;
}

describe('schema walks over names objects inherit', () => {
  // The walks once looked fields up in the definitions' plain objects, where
  // `constructor` finds Object's own function: neither walk reported such a
  // name, and looking properties up in a Map must not start to.
  it('finds nothing under constructor, toString or __proto__ of a struct', () => {
    const obj = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","constructor":{"x":1},"toString":"s","__proto__":{"y":2}},"data":{"constructor":"v"}}') as unknown;
    assert.deepEqual(findUnknownFields('v1', 'ConfigMap', obj), []);
    assert.equal(findTypeMismatch('v1', 'ConfigMap', obj), undefined);
  });

  it('still reports other unknown and wrongly typed fields next to them', () => {
    const obj = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","constructor":1,"namex":"n"},"data":{"k":1}}') as unknown;
    assert.deepEqual(findUnknownFields('v1', 'ConfigMap', obj), ['metadata.namex']);
    assert.equal(findTypeMismatch('v1', 'ConfigMap', obj)?.field, 'data.k');
  });
});
