// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filterByPaths, mergeAggregated, mergeInto, type SwaggerDocument } from './v2-merge.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function local(): SwaggerDocument {
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32' },
    paths: { '/api/v1/pods': { get: { responses: { '200': { schema: { $ref: '#/definitions/io.k8s.api.core.v1.PodList' } } } } } },
    definitions: {
      'io.k8s.api.core.v1.PodList': { type: 'object', properties: { metadata: { $ref: `#/definitions/${META}` } } },
      [META]: { type: 'object', description: 'local meta' },
    },
  };
}

/** wardle is an extension server's document: its own kinds, a differing copy of ObjectMeta, a shared parameter, and paths outside /apis/. */
function wardle(): SwaggerDocument {
  return {
    swagger: '2.0',
    info: { title: 'wardle', version: 'v0' },
    paths: {
      '/apis/wardle.example.com/v1alpha1/flunders': {
        get: { responses: { '200': { schema: { $ref: '#/definitions/com.example.wardle.v1alpha1.FlunderList' } } } },
        parameters: [{ $ref: '#/parameters/pretty-tJGM1-ng' }],
      },
      '/api/v1/pods': { get: { description: 'the extension server claims a core path' } },
      '/version/': { get: { responses: { '200': { schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.version.Info' } } } } },
    },
    definitions: {
      'com.example.wardle.v1alpha1.FlunderList': { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/definitions/com.example.wardle.v1alpha1.Flunder' } }, metadata: { $ref: `#/definitions/${META}` } } },
      'com.example.wardle.v1alpha1.Flunder': { type: 'object', properties: { '$ref': { type: 'string' }, metadata: { $ref: `#/definitions/${META}` } } },
      [META]: { type: 'object', description: 'wardle meta' },
      'io.k8s.apimachinery.pkg.version.Info': { type: 'object' },
      'com.example.wardle.v1alpha1.Unused': { type: 'object' },
    },
    parameters: { 'pretty-tJGM1-ng': { name: 'pretty', in: 'query', type: 'string' }, 'unused-param': { name: 'x', in: 'query', type: 'string' } },
  };
}

describe('filterByPaths', () => {
  it('keeps the chosen paths and what they reference, transitively, and leaves the document as it was', () => {
    const doc = wardle();
    const before = JSON.stringify(doc);
    const out = filterByPaths(doc, (p) => p.startsWith('/apis/'));
    assert.deepEqual(Object.keys(out.paths!), ['/apis/wardle.example.com/v1alpha1/flunders']);
    assert.deepEqual(Object.keys(out.definitions!).sort(), ['com.example.wardle.v1alpha1.Flunder', 'com.example.wardle.v1alpha1.FlunderList', META]);
    assert.deepEqual(Object.keys(out.parameters!), ['pretty-tJGM1-ng']);
    assert.equal(JSON.stringify(doc), before);
  });
});

describe('mergeInto', () => {
  it('renames a differing definition of the same name to <name>_v2 and rewrites the references to it', () => {
    const dest = local();
    const shared = dest.definitions;
    mergeInto(dest, filterByPaths(wardle(), (p) => p.startsWith('/apis/')));
    assert.deepEqual(dest.definitions![META], { type: 'object', description: 'local meta' });
    assert.deepEqual(dest.definitions![`${META}_v2`], { type: 'object', description: 'wardle meta' });
    const flunder = dest.definitions!['com.example.wardle.v1alpha1.Flunder'] as { properties: Record<string, { $ref?: string; type?: string }> };
    assert.equal(flunder.properties.metadata.$ref, `#/definitions/${META}_v2`);
    // A property named $ref is a schema, not a reference.
    assert.deepEqual(flunder.properties.$ref, { type: 'string' });
    assert.ok(dest.parameters!['pretty-tJGM1-ng']);
    assert.ok(dest.paths!['/apis/wardle.example.com/v1alpha1/flunders']);
    // The local document's maps are replaced, not written to.
    assert.deepEqual(Object.keys(shared!).sort(), ['io.k8s.api.core.v1.PodList', META]);
  });

  it('reuses an equal definition and keeps the first path when both documents have it', () => {
    const dest = local();
    const ext = wardle();
    ext.definitions![META] = { description: 'local meta', type: 'object' };
    mergeInto(dest, ext);
    assert.equal(dest.definitions![`${META}_v2`], undefined);
    assert.equal((dest.definitions!['com.example.wardle.v1alpha1.Flunder'] as { properties: { metadata: { $ref: string } } }).properties.metadata.$ref, `#/definitions/${META}`);
    assert.deepEqual(dest.paths!['/api/v1/pods'], local().paths!['/api/v1/pods']);
  });

  it('adds nothing when every path of the source is already there', () => {
    const dest = local();
    mergeInto(dest, { paths: { '/api/v1/pods': {} }, definitions: { Other: { type: 'object' } } });
    assert.deepEqual(dest, local());
  });

  it('picks the next free suffix when <name>_v2 is taken', () => {
    const dest = local();
    dest.definitions = { ...dest.definitions, [`${META}_v2`]: { type: 'object', description: 'taken' } };
    mergeInto(dest, filterByPaths(wardle(), (p) => p.startsWith('/apis/')));
    assert.deepEqual(dest.definitions[`${META}_v3`], { type: 'object', description: 'wardle meta' });
  });
});

describe('mergeAggregated', () => {
  it('merges only /apis/ paths of each extension document, in the order given', () => {
    const second: SwaggerDocument = { paths: { '/apis/wardle.example.com/v1alpha1/flunders': { get: { description: 'second' } }, '/apis/other.example.com/v1': { get: {} } } };
    const out = mergeAggregated(local(), [wardle(), second]);
    assert.deepEqual(Object.keys(out.paths!).sort(), ['/api/v1/pods', '/apis/other.example.com/v1', '/apis/wardle.example.com/v1alpha1/flunders']);
    assert.equal(out.definitions!['io.k8s.apimachinery.pkg.version.Info'], undefined);
    assert.notEqual((out.paths!['/apis/wardle.example.com/v1alpha1/flunders'] as { get: { description?: string } }).get.description, 'second');
    assert.equal(out.info && (out.info as { title: string }).title, 'Kubernetes');
  });
});
