// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { RESOURCES } from '../../api/resources.js';
import { StatusError } from '../../machinery/errors.js';
import { defaultTableConvertor, hasPrinter, parseIncludeObject, tableConvertorFor, toTable } from './index.js';

const now = new Date('2024-05-01T12:00:00Z');

/** Kinds upstream serves with the default NAME / CREATED AT table. */
const DEFAULT_TABLE_KINDS = new Set(['Role', 'ClusterRole', 'LimitRange', 'CSIStorageCapacity']);

test('every served kind has its upstream printer, or the default table where upstream has none', () => {
  for (const r of RESOURCES) {
    assert.equal(hasPrinter(r.group, r.kind), !DEFAULT_TABLE_KINDS.has(r.kind), `${r.group}/${r.kind}`);
    const c = tableConvertorFor(r.group, r.kind);
    assert.equal(c.columns[0]?.name === 'Name' || c.columns[0]?.name === 'Last Seen', true, `${r.kind} first column`);
    assert.equal(c.columns.filter((col) => col.format === 'name').length, 1, `${r.kind} has one name column`);
  }
  assert.equal(tableConvertorFor('example.com', 'Widget'), defaultTableConvertor);
});

test('a bare object of every kind renders one cell per column without throwing', () => {
  for (const r of RESOURCES) {
    const c = tableConvertorFor(r.group, r.kind);
    for (const obj of [{ metadata: { name: 'x' } }, { metadata: { name: 'x' }, spec: {}, status: {} }]) {
      const cells = c.row(obj as KubeObject, now);
      assert.equal(cells.length, c.columns.length, `${r.group}/${r.kind}`);
    }
  }
});

const pods: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', resourceVersion: '41', labels: { app: 'a' } }, spec: { containers: [] }, status: { phase: 'Succeeded' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default', resourceVersion: '42' }, spec: { containers: [] }, status: { phase: 'Running' } },
];

test('toTable builds a meta.k8s.io/v1 Table with metadata-only rows by default', () => {
  const table = toTable(tableConvertorFor('', 'Pod'), pods, {
    now,
    includeObject: 'Metadata',
    listMeta: { resourceVersion: '50', continue: 'tok', remainingItemCount: 3 },
  });
  assert.equal(table.kind, 'Table');
  assert.equal(table.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(table.metadata, { resourceVersion: '50', continue: 'tok', remainingItemCount: 3 });
  assert.equal(table.columnDefinitions?.length, 9);
  assert.deepEqual(table.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pods[0]!.metadata });
  assert.deepEqual(table.rows[0]!.conditions?.map((c) => c.reason), ['Succeeded']);
  assert.equal('conditions' in table.rows[1]!, false);
  // JSON round trip keeps the wire shape: omitted conditions, everything else present.
  const wire = JSON.parse(JSON.stringify(table)) as { rows: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(wire.rows[1]!).sort(), ['cells', 'object']);
});

test('includeObject Object embeds the object, None writes null', () => {
  const full = toTable(tableConvertorFor('', 'Pod'), pods, { now, includeObject: 'Object', listMeta: { resourceVersion: '50' } });
  assert.equal(full.rows[1]!.object, pods[1]);
  const none = toTable(tableConvertorFor('', 'Pod'), pods, { now, includeObject: 'None', listMeta: { resourceVersion: '50' }, apiVersion: 'meta.k8s.io/v1beta1' });
  assert.equal(none.rows[0]!.object, null);
  assert.equal(none.apiVersion, 'meta.k8s.io/v1beta1');
});

test('a single object carries its own resourceVersion; watch events after the first have no headers', () => {
  const one = toTable(tableConvertorFor('', 'Pod'), [pods[1]!], { now, includeObject: 'Metadata' });
  assert.deepEqual(one.metadata, { resourceVersion: '42' });
  const event = toTable(tableConvertorFor('', 'Pod'), [pods[1]!], { now, includeObject: 'Object', noHeaders: true });
  assert.equal(event.columnDefinitions, null);
  assert.equal(event.rows[0]!.cells.length, 9);
  const empty = toTable(tableConvertorFor('apps', 'Deployment'), [], { now, includeObject: 'Metadata', listMeta: { resourceVersion: '7' } });
  assert.deepEqual(empty.rows, []);
  assert.deepEqual(empty.metadata, { resourceVersion: '7' });
});

test('parseIncludeObject accepts the three policies and rejects others with a 400', () => {
  assert.equal(parseIncludeObject(undefined), 'Metadata');
  assert.equal(parseIncludeObject(''), 'Metadata');
  assert.equal(parseIncludeObject('None'), 'None');
  assert.equal(parseIncludeObject('Object'), 'Object');
  assert.throws(
    () => parseIncludeObject('All'),
    (e: unknown) =>
      e instanceof StatusError &&
      e.code === 400 &&
      e.message === 'Unable to convert to Table as requested: includeObject: Invalid value: "All": must be \'Metadata\', \'Object\', \'None\', or empty',
  );
});
