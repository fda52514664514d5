// SPDX-License-Identifier: Apache-2.0
/**
 * End to end: services/proxy, pods/proxy and nodes/proxy through the real
 * `kubectl proxy` to real pods (a node app serving HTTP, HTTPS and a
 * WebSocket upgrade) run by a real `skiff server` with its agent:
 * `/api/v1/namespaces/NS/services/https:NAME:PORT/proxy/PATH` as the
 * dashboard is opened, port names and numbers, the pod IP directly, the
 * kubelet through nodes/proxy, and upstream's errors for bad ids.
 * Needs root, containerd, runc, CNI and kubectl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { agentUnavailableReason, startAgentServer, type AgentServer } from './fixtures/agent-server.js';
import { nodeAppImage } from '../../src/images/index.js';
import { selfSignedCertificate } from '../../src/pki/index.js';

const skip = agentUnavailableReason() || false;
const IMAGE = 'localhost/skiff/proxy-echo:1';
const NS = 'proxy-e2e';

/** The app: HTTP on 8080 (echoes method, path and query; upgrades to an echoing WebSocket), HTTPS on 8443. */
function appScript(cert: string, key: string): string {
  return `
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const answer = (scheme) => (req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ scheme, method: req.method, url: req.url, body, auth: req.headers.authorization ?? null }));
  });
};
const plain = http.createServer(answer('http'));
plain.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
  socket.on('data', (d) => socket.write('echo:' + d.toString()));
});
plain.listen(8080);
https.createServer({ cert: ${JSON.stringify(cert)}, key: ${JSON.stringify(key)} }, answer('https')).listen(8443);
`;
}

describe('proxy subresources', { skip }, () => {
  let s: AgentServer;
  let proxy: ChildProcess | undefined;
  let base = '';
  let nodeName = '';

  before(async () => {
    s = await startAgentServer();
    const tls = await selfSignedCertificate({ subject: 'CN=proxy-echo', sans: ['proxy-echo'], server: true });
    s.importImage(nodeAppImage({ name: IMAGE, script: appScript(tls.cert, tls.key) }));
    s.kubectlOk(['create', 'namespace', NS]);
    s.kubectlOk(['apply', '-n', NS, '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: echo
  labels: {app: echo}
spec:
  containers:
  - name: app
    image: ${IMAGE}
    imagePullPolicy: Never
    ports:
    - {containerPort: 8080, name: web}
    - {containerPort: 8443, name: secure}
    # Ready only once the app listens: node starts slowly on a loaded machine,
    # and without a probe the pod is Ready as soon as the process exists.
    readinessProbe:
      tcpSocket: {port: 8443}
      periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  selector: {app: echo}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: https, port: 443, targetPort: 8443}
---
apiVersion: v1
kind: Service
metadata:
  name: single
spec:
  selector: {app: echo}
  ports:
  - {port: 443, targetPort: 8443}
`);
    s.kubectlOk(['wait', '-n', NS, '--for=condition=Ready', 'pod/echo', '--timeout=120s']);
    nodeName = s.kubectlOk(['get', 'pod', 'echo', '-n', NS, '-o', 'jsonpath={.spec.nodeName}']);
    // Endpoints follow readiness; wait until both services have an address.
    for (let i = 0; i < 120; i++) {
      const ready = ['echo', 'single'].every((svc) => s.kubectl(['get', 'endpoints', svc, '-n', NS, '-o', 'jsonpath={.subsets[0].addresses[0].ip}']).stdout !== '');
      if (ready) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    proxy = spawn('kubectl', ['proxy', '--port=0'], { env: { ...process.env, KUBECONFIG: join(s.dataDir, 'kubeconfig.yaml') }, stdio: ['ignore', 'pipe', 'pipe'] });
    base = await new Promise<string>((resolve, reject) => {
      let out = '';
      proxy!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Starting to serve on (\S+)/.exec(out);
        if (m) resolve(`http://${m[1]}`);
      });
      proxy!.on('exit', (code) => reject(new Error(`kubectl proxy exited ${code}: ${out}`)));
    });
  });

  after(async () => {
    proxy?.kill('SIGTERM');
    await s?.stop();
  });

  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${base}${path}`, init);
    return { status: res.status, text: await res.text() };
  };

  it('services/proxy reaches the service by port name, port number and scheme, keeping path, query and trailing slash', async () => {
    const byName = await get(`/api/v1/namespaces/${NS}/services/echo:http/proxy/some/path/?a=1&b=two`);
    assert.equal(byName.status, 200, byName.text);
    assert.deepEqual(JSON.parse(byName.text), { scheme: 'http', method: 'GET', url: '/some/path/?a=1&b=two', body: '', auth: null });
    const byNumber = await get(`/api/v1/namespaces/${NS}/services/echo:80/proxy/n`);
    assert.equal(JSON.parse(byNumber.text).url, '/n');
    const secure = await get(`/api/v1/namespaces/${NS}/services/https:echo:https/proxy/dash`);
    assert.equal(secure.status, 200, secure.text);
    assert.equal(JSON.parse(secure.text).scheme, 'https');
    // The dashboard's form: https, the service's only (unnamed) port, a trailing slash.
    const dashboard = await get(`/api/v1/namespaces/${NS}/services/https:single:/proxy/`);
    assert.equal(dashboard.status, 200, dashboard.text);
    assert.deepEqual(JSON.parse(dashboard.text), { scheme: 'https', method: 'GET', url: '/', body: '', auth: null });
    const posted = await get(`/api/v1/namespaces/${NS}/services/echo:http/proxy/form`, { method: 'POST', body: 'x=1' });
    assert.equal(JSON.parse(posted.text).method, 'POST');
    assert.equal(JSON.parse(posted.text).body, 'x=1');
  });

  it('pods/proxy reaches the pod IP, by default on its first declared port', async () => {
    const byDefault = await get(`/api/v1/namespaces/${NS}/pods/echo/proxy/p?q=1`);
    assert.equal(byDefault.status, 200, byDefault.text);
    assert.equal(JSON.parse(byDefault.text).url, '/p?q=1');
    const secure = await get(`/api/v1/namespaces/${NS}/pods/https:echo:8443/proxy/`);
    assert.equal(JSON.parse(secure.text).scheme, 'https');
  });

  it('WebSocket upgrades go through kubectl proxy and services/proxy to the pod', async () => {
    const url = new URL(base);
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(Number(url.port), url.hostname);
      let data = '';
      sock.on('data', (d) => {
        data += d.toString();
        if (data.includes('echo:hello')) {
          sock.destroy();
          resolve(data);
        }
      });
      sock.on('error', reject);
      setTimeout(() => {
        sock.destroy();
        reject(new Error(`no echo: ${data}`));
      }, 20_000);
      sock.write(`GET /api/v1/namespaces/${NS}/services/echo:http/proxy/ws HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      sock.once('data', () => sock.write('hello'));
    });
    assert.match(reply, /^HTTP\/1\.1 101/);
    assert.match(reply, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
  });

  it('nodes/proxy reaches the kubelet', async () => {
    const health = await get(`/api/v1/nodes/${nodeName}/proxy/healthz`);
    assert.equal(health.status, 200, health.text);
    assert.equal(health.text, 'ok');
    const summary = await get(`/api/v1/nodes/${nodeName}/proxy/stats/summary`);
    assert.equal(summary.status, 200, summary.text);
    assert.equal(JSON.parse(summary.text).node.nodeName, nodeName);
  });

  it('bad ids and missing targets get upstream errors', async () => {
    const cases: [string, number, string][] = [
      [`/api/v1/namespaces/${NS}/services/ftp:echo:21/proxy/`, 400, 'invalid service request "ftp:echo:21"'],
      [`/api/v1/namespaces/${NS}/services/echo:9999/proxy/`, 503, 'no service port 9999 found for service "echo"'],
      [`/api/v1/namespaces/${NS}/pods/a:b:c:d/proxy/`, 400, 'invalid pod request "a:b:c:d"'],
      // Without a port number upstream reads only the Endpoints, so that is what is not found.
      [`/api/v1/namespaces/${NS}/services/missing/proxy/`, 404, 'endpoints "missing" not found'],
      [`/api/v1/namespaces/${NS}/services/missing:80/proxy/`, 404, 'services "missing" not found'],
    ];
    for (const [path, code, message] of cases) {
      const r = await get(path);
      assert.equal(r.status, code, `${path}: ${r.text}`);
      assert.equal(JSON.parse(r.text).message, message);
    }
  });
});
