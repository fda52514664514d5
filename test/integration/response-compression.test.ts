// SPDX-License-Identifier: Apache-2.0
/**
 * API response compression (upstream's APIResponseCompression): an answer
 * over 128 KiB (a list, a Table with its objects) goes out gzipped when the
 * request accepts gzip, and decodes to the very bytes an uncompressed answer
 * carries; smaller answers, requests that do not ask, and watch streams are
 * never compressed. kubectl (Go's transport asks for gzip by itself), the
 * Python client and @kubernetes/client-node read the compressed lists.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as k8s from '@kubernetes/client-node';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

const NS = 'gzip-test';
const CONFIGMAPS = 40;
// Every namespace also holds the root CA publisher's kube-root-ca.crt (waited for below): lists count it too.
const ITEMS = CONFIGMAPS + 1;
// 40 ConfigMaps of 4 KiB each make a list of about 170 KiB: over the 128 KiB threshold.
const LIST = `/api/v1/namespaces/${NS}/configmaps`;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

const PYTHON = '/usr/bin/python3';
const pythonSkip = !existsSync(PYTHON) ? `${PYTHON} not installed`
  : spawnSync(PYTHON, ['-c', 'import kubernetes']).status !== 0 ? 'python3-kubernetes not installed' : '';

/** withoutListRV drops a list's own resourceVersion (the first in the text); the items' stay. */
function withoutListRV(listJSON: string): string {
  return listJSON.replace(/"metadata":\{"resourceVersion":"\d+"/, '"metadata":{');
}

describe('API response compression', () => {
  let s: ServerHandle;

  before(async () => {
    s = await startServer();
    const ns = await s.request('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    assert.equal(ns.status, 201, ns.body);
    for (let i = 0; i < 600 && (await s.request('GET', `${LIST}/kube-root-ca.crt`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < CONFIGMAPS; i++) {
      // Varied text, so the list compresses like real objects do, not like one repeated byte.
      const data = { blob: Array.from({ length: 256 }, (_, j) => `line-${i}-${j}-${(i * 7919 + j * 104729) % 1000003}`).join('\n').slice(0, 4096) };
      const r = await s.request('POST', LIST, { metadata: { name: `cm-${String(i).padStart(2, '0')}` }, data });
      assert.equal(r.status, 201, r.body);
    }
  });
  after(async () => {
    await s?.stop();
  });

  it('gzips a list over the threshold only when asked, with the same content', async () => {
    const plain = await s.request('GET', LIST);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['vary'], undefined);
    assert.ok(plain.raw.length > 128 * 1024, `the list is over the threshold (${plain.raw.length} bytes)`);

    const zipped = await s.request('GET', LIST, undefined, { 'Accept-Encoding': 'gzip' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers['vary'], 'Accept-Encoding');
    assert.equal(zipped.headers['content-type'], 'application/json');
    assert.equal(Number(zipped.headers['content-length']), zipped.raw.length);
    assert.ok(zipped.raw.length < plain.raw.length / 2, `compressed ${zipped.raw.length} of ${plain.raw.length} bytes`);
    // The same list, byte for byte, apart from the list's resourceVersion: that is the store's
    // latest, and the cluster's own controllers (leases, events) may write between the two reads.
    assert.equal(withoutListRV(gunzipSync(zipped.raw).toString()), withoutListRV(plain.body));

    // A browser's list of encodings counts; encodings other than gzip are not served.
    const browser = await s.request('GET', LIST, undefined, { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
    assert.equal(browser.headers['content-encoding'], 'gzip');
    for (const other of ['deflate', 'br', 'identity']) {
      const r = await s.request('GET', LIST, undefined, { 'Accept-Encoding': other });
      assert.equal(r.headers['content-encoding'], undefined, other);
      assert.equal(withoutListRV(r.body), withoutListRV(plain.body), other);
    }
  });

  it('leaves answers under the threshold uncompressed', async () => {
    const one = await s.request('GET', `${LIST}/cm-00`, undefined, { 'Accept-Encoding': 'gzip' });
    assert.equal(one.status, 200);
    assert.equal(one.headers['content-encoding'], undefined);
    assert.equal((JSON.parse(one.body) as { metadata: { name: string } }).metadata.name, 'cm-00');
    const page = await s.request('GET', `${LIST}?limit=3`, undefined, { 'Accept-Encoding': 'gzip' });
    assert.equal(page.headers['content-encoding'], undefined);
    assert.equal((JSON.parse(page.body) as { items: unknown[] }).items.length, 3);
    const missing = await s.request('GET', `${LIST}/nope`, undefined, { 'Accept-Encoding': 'gzip' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-encoding'], undefined);
  });

  it('gzips a large Table (rows with their objects) the same way', async () => {
    const path = `${LIST}?includeObject=Object`;
    const plain = await s.request('GET', path, undefined, { Accept: TABLE });
    const zipped = await s.request('GET', path, undefined, { Accept: TABLE, 'Accept-Encoding': 'gzip' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    const table = JSON.parse(gunzipSync(zipped.raw).toString()) as { kind: string; rows: unknown[] };
    assert.equal(table.kind, 'Table');
    assert.equal(table.rows.length, ITEMS);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal((JSON.parse(plain.body) as { rows: unknown[] }).rows.length, ITEMS);
  });

  it('never compresses a watch stream', async () => {
    // The initial events of 40 ConfigMaps are well over the threshold; timeoutSeconds ends the stream.
    const w = await s.request('GET', `${LIST}?watch=true&timeoutSeconds=1`, undefined, { 'Accept-Encoding': 'gzip' });
    assert.equal(w.status, 200);
    assert.equal(w.headers['content-encoding'], undefined);
    const events = w.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.equal(events.filter((e) => e.type === 'ADDED').length, ITEMS);
  });

  it('kubectl asks for gzip and reads the compressed list; --disable-compression gets it plain', () => {
    const zipped = s.kubectl(['get', 'configmaps', '-n', NS, '-o', 'json', '-v=8']);
    assert.equal(zipped.code, 0, zipped.stderr);
    assert.equal((JSON.parse(zipped.stdout) as { items: unknown[] }).items.length, ITEMS);
    // Go's transport decodes the body and drops Content-Encoding; the Vary header shows the server gzipped.
    assert.match(zipped.stderr, /Vary: Accept-Encoding/);
    const plain = s.kubectl(['get', 'configmaps', '-n', NS, '-o', 'json', '-v=8', '--disable-compression']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stderr, /Vary: Accept-Encoding/);
    assert.equal(plain.stdout, zipped.stdout);
  });

  it('@kubernetes/client-node lists through the compressed answer', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedConfigMap({ namespace: NS });
    assert.equal(list.items.length, ITEMS);
    assert.equal(list.items[0].data?.blob.length, 4096);
  });

  it('the Python client lists with and without asking for gzip', { skip: pythonSkip || undefined }, () => {
    // urllib3 (under python3-kubernetes) asks for no encoding by itself, and decodes gzip when it gets it.
    const script = [
      'import json, sys',
      'from kubernetes import client, config',
      'api = config.new_client_from_config(sys.argv[1])',
      'plain = client.CoreV1Api(api).list_namespaced_config_map(sys.argv[2])',
      "api.set_default_header('Accept-Encoding', 'gzip')",
      'zipped = client.CoreV1Api(api).list_namespaced_config_map(sys.argv[2], _preload_content=False)',
      "print(json.dumps({'plain': len(plain.items), 'encoding': zipped.headers.get('Content-Encoding'), 'zipped': len(json.loads(zipped.data)['items'])}))",
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script, s.kubeconfig, NS], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { plain: ITEMS, encoding: 'gzip', zipped: ITEMS });
  });
});
