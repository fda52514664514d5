// SPDX-License-Identifier: Apache-2.0
/**
 * Requests that once crashed or 500'd a real `skiff server --disable-agent`:
 * deeply nested bodies (JSON, YAML, protobuf-free paths of create, update and
 * every patch type) and malformed URL escapes. Deep YAML killed the process
 * with `FATAL ERROR: RegExpCompiler Allocation failed` on the third request
 * (the YAML parser overflowed the stack while V8 compiled a RegExp); deep
 * JSON answered 500 "Maximum call stack size exceeded". Each must answer a
 * 4xx Status, change nothing, and leave the server up.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { MAX_NESTING_DEPTH } from '../../src/apiserver/http/nesting-depth.js';
import { assertStatus } from '../harness/status-check.js';

let s: ServerHandle;
const CM = '/api/v1/namespaces/default/configmaps';
const DEP = '/apis/apps/v1/namespaces/default/deployments';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const SMP = { 'Content-Type': 'application/strategic-merge-patch+json' };
const JSONPATCH = { 'Content-Type': 'application/json-patch+json' };
const YAML = { 'Content-Type': 'application/yaml' };

const arrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const objects = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

/** deepRequests are the shapes found so far, at nesting `n`. */
function deepRequests(n: number): [string, string, string, Record<string, string>?][] {
  return [
    ['PATCH', `${CM}/x`, arrays(n), MERGE],
    ['PATCH', `${CM}/x`, `{"data":${arrays(n)}}`, MERGE],
    ['PATCH', `${CM}/x`, `{"metadata":{"labels":${objects(n)}}}`, MERGE],
    ['PATCH', `${CM}/x`, `{"data":${objects(n)}}`, SMP],
    ['PATCH', `${DEP}/d`, `{"spec":{"template":{"spec":{"containers":${arrays(n)}}}}}`, SMP],
    ['PATCH', `${DEP}/d`, `{"spec":${objects(n)}}`, SMP],
    ['PATCH', `${CM}/x`, `[{"op":"add","path":"/data/q","value":${arrays(n)}}]`, JSONPATCH],
    ['PATCH', `${CM}/x`, `[{"op":"add","path":"/metadata/annotations","value":${objects(n)}}]`, JSONPATCH],
    ['POST', CM, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"y"},"data":${objects(n)}}`],
    ['POST', CM, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"y","labels":${arrays(n)}}}`],
    ['POST', `${DEP}?fieldValidation=Strict`, `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"y"},"spec":{"template":${objects(n)}}}`],
    ['PUT', `${CM}/x`, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":${objects(n)}}`],
    ['POST', CM, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: z\ndata: ${arrays(n)}\n`, YAML],
    ['POST', CM, `${'- '.repeat(n)}x`, YAML],
    ['DELETE', `${CM}/x?dryRun=All`, `{"preconditions":${objects(n)}}`],
  ];
}

describe('hostile input', () => {
  let before_: { cm: string; dep: string };
  before(async () => {
    s = await startServer();
    await s.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });
    await s.request('POST', DEP, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    before_ = { cm: (await s.request('GET', `${CM}/x`)).body, dep: (await s.request('GET', `${DEP}/d`)).body };
  });
  after(async () => {
    await s?.stop();
  });

  it('answers 400 to bodies nested 5000 deep, repeatedly, and stays up', async () => {
    for (let round = 0; round < 4; round++) {
      for (const [method, path, body, headers] of deepRequests(5000)) {
        const r = await s.request(method, path, body, headers);
        assert.equal(s.process.exitCode, null, `server exited after ${method} ${path}:\n${s.logs().slice(-3000)}`);
        assert.equal(r.status, 400, `${method} ${path} ${body.slice(0, 60)}: ${r.body.slice(0, 300)}`);
        const st = assertStatus(r.body, 400);
        assert.match(st.message, /exceeded max depth/);
      }
    }
  });

  it('changed nothing it refused at 5000 deep', async () => {
    const cm = JSON.parse((await s.request('GET', `${CM}/x`)).body);
    const dep = JSON.parse((await s.request('GET', `${DEP}/d`)).body);
    assert.equal(cm.metadata.resourceVersion, JSON.parse(before_.cm).metadata.resourceVersion);
    // The deployment controller writes the status meanwhile; the spec is what a refused request could change.
    assert.deepEqual(dep.spec, JSON.parse(before_.dep).spec);
    assert.equal(dep.metadata.generation, JSON.parse(before_.dep).metadata.generation);
    const y = await s.request('GET', `${CM}/y`);
    assert.equal(y.status, 404);
  });

  it('never answers 5xx at the depth limit', async () => {
    for (const n of [MAX_NESTING_DEPTH - 10, MAX_NESTING_DEPTH - 1, MAX_NESTING_DEPTH]) {
      for (const [method, path, body, headers] of deepRequests(n)) {
        const r = await s.request(method, path, body, headers);
        if (r.status >= 400) assertStatus(r.body, r.status);
        // Upstream answers an untyped strategic-merge error ("list element types are not identical") with 500 and no reason; nothing else may be 5xx.
        const upstreamPatch500 = r.status === 500 && !JSON.parse(r.body).reason;
        assert.ok(r.status < 500 || upstreamPatch500, `${method} ${path} at depth ${n}: ${r.status} ${r.body.slice(0, 300)}`);
      }
    }
    assert.equal(s.process.exitCode, null);
  });

  it('answers 400 to a malformed %-escape in the path', async () => {
    const r = await s.request('GET', '/api/v1/namespaces/default/pods/%E0%A4%A');
    assert.equal(r.status, 400, r.body);
    assertStatus(r.body, 400);
  });
});
