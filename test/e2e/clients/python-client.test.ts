// SPDX-License-Identifier: Apache-2.0
/**
 * The official Python client (Debian's python3-kubernetes, run with
 * /usr/bin/python3) against a real `skiff server`: the scripts under
 * test/e2e/clients/python/ do what a Python user does and print what they
 * saw; this test compares it with what upstream answers, error bodies byte
 * for byte.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, SKIFF_BIN, type ServerHandle } from '../../harness/server-harness.js';
import { agentUnavailableReason } from '../fixtures/agent-server.js';
import { busyboxImage } from '../../../src/images/index.js';

const PYTHON = '/usr/bin/python3';
// Scripts are read from the source tree (tsc does not copy .py files into dist/).
const SCRIPTS = fileURLToPath(new URL('../../../../test/e2e/clients/python/', import.meta.url));

function pythonUnavailable(): string {
  if (!existsSync(PYTHON)) return `${PYTHON} not installed`;
  const r = spawnSync(PYTHON, ['-c', 'import kubernetes'], { encoding: 'utf8' });
  return r.status === 0 ? '' : 'python3-kubernetes not installed';
}

/** runPython runs one script and parses the JSON it prints. */
export function runPython<T>(script: string, args: string[], timeoutMs = 120_000): T {
  const r = spawnSync(PYTHON, [SCRIPTS + script, ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

interface ErrorSeen {
  status: number;
  body: string;
}

const skip = pythonUnavailable();

describe('python3-kubernetes against skiff', { skip: skip || undefined }, () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('CRUD, patch types, list and watch from a resourceVersion with bookmarks, error bodies as upstream', () => {
    const out = runPython<Record<string, unknown>>('api_semantics.py', [s.kubeconfig, 'py-ns']);
    assert.deepEqual(out.read, { a: '1' });
    assert.deepEqual(out.replaced, { a: '1', b: '2' });
    assert.deepEqual(out.json_patch, { a: '1', b: '2', c: '3' });
    assert.deepEqual(out.dict_patch, { a: '1', b: '2', c: '3', x: 'y' });
    assert.deepEqual(out.merge_patch, { b: '2', c: '3', d: '4', x: 'y' });
    assert.deepEqual(out.strategic_patch, { app: 'py', tier: 'x' });
    assert.deepEqual(out.list_names, ['cm']);
    // watch=True (Python's spelling) streams instead of listing; events after the list's resourceVersion, in order.
    assert.deepEqual(out.watch_events, [['MODIFIED', 'cm'], ['ADDED', 'cm2'], ['DELETED', 'cm2']]);
    const status = (code: number, reason: string, message: string, details: string) =>
      JSON.stringify({ status: code, body: `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":${JSON.stringify(message)},"reason":"${reason}","details":${details},"code":${code}}` });
    assert.equal(JSON.stringify(out.already_exists), status(409, 'AlreadyExists', 'configmaps "cm" already exists', '{"name":"cm","kind":"configmaps"}'));
    assert.equal(JSON.stringify(out.not_found), status(404, 'NotFound', 'configmaps "missing" not found', '{"name":"missing","kind":"configmaps"}'));
    assert.equal(
      JSON.stringify(out.conflict),
      status(409, 'Conflict', 'Operation cannot be fulfilled on configmaps "cm": the object has been modified; please apply your changes to the latest version and try again', '{"name":"cm","kind":"configmaps"}'),
    );
    const detail = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    assert.equal(
      JSON.stringify(out.invalid),
      status(422, 'Invalid', `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${detail}`, JSON.stringify({ name: 'Bad_Name', kind: 'ConfigMap', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${detail}`, field: 'metadata.name' }] })),
    );
    assert.equal(JSON.stringify(out.forbidden_namespace), status(403, 'Forbidden', 'namespaces "kube-system" is forbidden: this namespace may not be deleted', '{"name":"kube-system","kind":"namespaces"}'));
  });
});

describe('python3-kubernetes streams against a real pod', { skip: skip || agentUnavailableReason() || undefined, timeout: 240_000 }, () => {
  let s: ServerHandle;
  let local: string;
  before(async () => {
    s = await startServer({ agent: true });
    local = mkdtempSync(join(tmpdir(), 'skiff-py-streams-'));
    const archive = join(local, 'busybox.oci.tar');
    writeFileSync(archive, busyboxImage());
    const imp = spawnSync(process.execPath, [SKIFF_BIN, 'image', 'import', archive, '--data-dir', s.dataDir], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(imp.status, 0, `image import failed: ${imp.stderr}`);
    s.kubectlOk(['create', 'namespace', 'py-streams']);
    s.kubectlOk(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'py-streams' },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'main', image: 'busybox:1.35', command: ['sh', '-c', 'echo started; mkdir -p /www && echo hello-pf > /www/index.html && exec httpd -f -p 8080 -h /www'] }],
        },
      }),
    });
    s.kubectlOk(['wait', '-n', 'py-streams', '--for=condition=Ready', 'pod/web', '--timeout=90s']);
  });
  after(async () => {
    if (local) rmSync(local, { recursive: true, force: true });
    await s?.stop();
  });

  it('exec with Python\'s True/False flags, interactive stdin in text frames, logs with timestamps=True, port-forward', () => {
    const out = runPython<Record<string, unknown>>('streams.py', [s.kubeconfig, 'py-streams', 'web']);
    // stdout and stderr are separate channels: the client joins them in arrival order, which neither side fixes.
    assert.deepEqual(String(out.exec).split('\n').filter(Boolean).sort(), ['err', 'out']);
    assert.equal(out.interactive, 'got:hello from python\n');
    assert.equal(out.interactive_returncode, 3);
    const lines = out.log_lines as string[];
    assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z started$/);
    assert.equal(out.port_forward, 'hello-pf\n');
  });
});
