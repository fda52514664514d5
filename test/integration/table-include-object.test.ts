// SPDX-License-Identifier: Apache-2.0
/**
 * What a Table row embeds, as upstream's asTable (pkg/endpoints/handlers
 * response.go) and the dashboard's first paint rely on: includeObject=None
 * writes `"object": null`, Metadata (the default) a PartialObjectMetadata in
 * the Table's own group version with the whole ObjectMeta, Object the object;
 * any other value is a 400 in upstream's words. Also the indented answers a
 * browser or curl gets by default (upstream's isPrettyPrint), which are the
 * compact answer indented, and `pretty=false`, which turns them off. The real
 * kubectl still prints pods.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

const NS = 'table-include';
const LIST = `/api/v1/namespaces/${NS}/pods`;
const TABLE_V1 = 'application/json;as=Table;v=v1;g=meta.k8s.io';

interface Row { cells: unknown[]; object: { kind?: string; apiVersion?: string; metadata: Record<string, unknown>; spec?: unknown } | null }
interface Table { kind: string; apiVersion: string; metadata: { resourceVersion?: string }; columnDefinitions: unknown[] | null; rows: Row[] }

describe('Table rows and includeObject', () => {
  let s: ServerHandle;
  let pods: { metadata: Record<string, unknown> }[];

  before(async () => {
    s = await startServer();
    assert.equal((await s.request('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
    for (const name of ['a', 'b', 'c']) {
      const r = await s.request('POST', LIST, { metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'registry.example/app:1' }] } });
      assert.equal(r.status, 201, r.body);
    }
    pods = (JSON.parse((await s.request('GET', LIST)).body) as { items: { metadata: Record<string, unknown> }[] }).items;
  });

  after(async () => {
    await s?.stop();
  });

  const table = async (path: string, accept = TABLE_V1): Promise<Table> => {
    const r = await s.request('GET', path, undefined, { Accept: accept });
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body) as Table;
  };

  it('None: every row has its cells and "object": null', async () => {
    const r = await s.request('GET', `${LIST}?includeObject=None`, undefined, { Accept: TABLE_V1 });
    const t = JSON.parse(r.body) as Table;
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.ok(t.columnDefinitions && t.columnDefinitions.length > 0);
    assert.deepEqual(t.rows.map((row) => row.cells[0]), ['a', 'b', 'c']);
    assert.ok(t.rows.every((row) => row.object === null));
    assert.equal((r.body.match(/"object":null/g) ?? []).length, 3, 'the key is written, with null, as upstream serializes an empty RawExtension');
    assert.ok(t.metadata.resourceVersion);
  });

  it('Metadata, asked or by default: a PartialObjectMetadata in the Table\'s group version with the whole ObjectMeta', async () => {
    for (const [path, accept, apiVersion] of [[LIST, TABLE_V1, 'meta.k8s.io/v1'], [`${LIST}?includeObject=Metadata`, TABLE_V1, 'meta.k8s.io/v1']]) {
      // The scheduler may still be writing the pods' status: compare a Table and a list read at one resourceVersion.
      const t = await table(path, accept);
      const atSameVersion = await s.request('GET', `${LIST}?resourceVersion=${t.metadata.resourceVersion}&resourceVersionMatch=Exact`);
      pods = (JSON.parse(atSameVersion.body) as { items: { metadata: Record<string, unknown> }[] }).items;
      assert.equal(t.apiVersion, apiVersion);
      for (const [i, row] of t.rows.entries()) {
        assert.deepEqual(Object.keys(row.object ?? {}), ['kind', 'apiVersion', 'metadata']);
        assert.equal(row.object?.kind, 'PartialObjectMetadata');
        assert.equal(row.object?.apiVersion, apiVersion);
        assert.deepEqual(row.object?.metadata, pods[i]!.metadata);
        assert.ok(Array.isArray(row.object?.metadata.managedFields), 'managedFields are part of ObjectMeta');
      }
    }
  });

  it('Object: the whole object', async () => {
    const t = await table(`${LIST}?includeObject=Object`);
    assert.ok(t.rows.every((row) => row.object?.kind === 'Pod' && row.object.apiVersion === 'v1' && row.object.spec));
  });

  it('any other value is a 400 BadRequest in upstream\'s words, for a list and a get', async () => {
    for (const path of [`${LIST}?includeObject=All`, `${LIST}/a?includeObject=All`]) {
      const r = await s.request('GET', path, undefined, { Accept: TABLE_V1 });
      assert.equal(r.status, 400);
      const status = JSON.parse(r.body) as { reason: string; message: string };
      assert.equal(status.reason, 'BadRequest');
      assert.equal(status.message, 'Unable to convert to Table as requested: includeObject: Invalid value: "All": must be \'Metadata\', \'Object\', \'None\', or empty');
    }
    // Without a Table the parameter is not read.
    assert.equal((await s.request('GET', `${LIST}?includeObject=All`)).status, 200);
  });

  it('a browser or curl gets the compact answer indented; pretty=false turns it off', async () => {
    for (const accept of ['application/json', TABLE_V1]) {
      const compact = (await s.request('GET', `${LIST}?includeObject=None`, undefined, { Accept: accept })).body;
      const browser = await s.request('GET', `${LIST}?includeObject=None`, undefined, { Accept: accept, 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
      const curl = await s.request('GET', `${LIST}?includeObject=None`, undefined, { Accept: accept, 'User-Agent': 'curl/8.5.0' });
      const asked = await s.request('GET', `${LIST}?includeObject=None&pretty=false`, undefined, { Accept: accept, 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
      // Ages in a Table may tick between two reads; everything else is byte for byte.
      const steady = (text: string) => text.replace(/"\d+[smhd]"/g, '"AGE"');
      assert.equal(steady(browser.body), steady(JSON.stringify(JSON.parse(compact), null, 2)));
      assert.equal(steady(curl.body), steady(browser.body));
      assert.equal(Number(browser.headers['content-length']), Buffer.byteLength(browser.body));
      assert.equal(steady(asked.body), steady(compact));
    }
  });

  it('kubectl prints the pods from the Table', () => {
    const out = s.kubectlOk(['get', 'pods', '-n', NS]);
    assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    assert.deepEqual(out.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['a', 'b', 'c']);
  });
});
