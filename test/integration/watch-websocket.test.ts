// SPDX-License-Identifier: Apache-2.0
/**
 * Watches over WebSocket, as upstream serves them to browsers: one event per
 * message (binary with binary.k8s.io, base64 text with base64.binary.k8s.io),
 * authenticated by a client certificate or by a bearer token carried in the
 * `base64url.bearer.authorization.k8s.io.` subprotocol, authorized as a
 * watch, and refused with a Status before the handshake otherwise. The
 * dashboard's static files are served to anyone at /ui/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { parse } from 'yaml';
import { startServer, type ServerHandle } from '../harness/server-harness.js';

interface Credentials {
  ca: string;
  cert: string;
  key: string;
}

function credentials(kubeconfig: string): Credentials {
  const doc = parse(readFileSync(kubeconfig, 'utf8'));
  const b64 = (s: string) => Buffer.from(s, 'base64').toString();
  return { ca: b64(doc.clusters[0].cluster['certificate-authority-data']), cert: b64(doc.users[0].user['client-certificate-data']), key: b64(doc.users[0].user['client-key-data']) };
}

/** events opens a watch WebSocket and collects decoded events until count arrive. */
function events(url: string, opts: { protocols: string[]; creds: Partial<Credentials> & { ca: string } }, count: number, act: () => void): Promise<{ protocol: string; events: { type: string; object: { metadata: { name: string } } }[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace('https:', 'wss:'), opts.protocols, { ca: opts.creds.ca, cert: opts.creds.cert, key: opts.creds.key });
    const got: { type: string; object: { metadata: { name: string } } }[] = [];
    ws.on('open', act);
    ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = ws.protocol === 'base64.binary.k8s.io' ? Buffer.from(data.toString(), 'base64').toString() : data.toString();
      if (ws.protocol === 'binary.k8s.io') assert.ok(isBinary, 'binary.k8s.io sends binary messages');
      got.push(JSON.parse(text));
      if (got.length === count) {
        ws.close();
        resolve({ protocol: ws.protocol, events: got });
      }
    });
  });
}

describe('watch over WebSocket', () => {
  let s: ServerHandle;
  let creds: Credentials;

  before(async () => {
    s = await startServer();
    creds = credentials(s.kubeconfig);
  });
  after(async () => {
    await s?.stop();
  });

  test('a client certificate watches configmaps; each event is one binary message', async () => {
    const rv = JSON.parse(s.kubectlOk(['get', '--raw', '/api/v1/namespaces/default/configmaps'])).metadata.resourceVersion;
    const r = await events(`${s.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, { protocols: ['binary.k8s.io'], creds }, 2, () => {
      s.kubectlOk(['create', 'configmap', 'ws-one', '--from-literal=a=b']);
      s.kubectlOk(['label', 'configmap', 'ws-one', 'x=y']);
    });
    assert.equal(r.protocol, 'binary.k8s.io');
    assert.deepEqual(r.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED ws-one', 'MODIFIED ws-one']);
  });

  test('a bearer token in the subprotocol authenticates, and base64 frames decode', async () => {
    s.kubectlOk(['create', 'serviceaccount', 'watcher']);
    s.kubectlOk(['create', 'rolebinding', 'watcher-view', '--clusterrole=view', '--serviceaccount=default:watcher']);
    const token = s.kubectlOk(['create', 'token', 'watcher']).trim();
    const rv = JSON.parse(s.kubectlOk(['get', '--raw', '/api/v1/namespaces/default/configmaps'])).metadata.resourceVersion;
    const bearer = `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;
    const r = await events(`${s.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`, { protocols: ['base64.binary.k8s.io', bearer], creds: { ca: creds.ca } }, 1, () => {
      s.kubectlOk(['create', 'configmap', 'ws-two', '--from-literal=a=b']);
    });
    assert.equal(r.protocol, 'base64.binary.k8s.io', 'the token protocol is consumed, not chosen');
    assert.equal(r.events[0].object.metadata.name, 'ws-two', JSON.stringify(r.events[0]).slice(0, 400) + ' rv=' + rv);
  });

  test('a user who may not watch is refused with a 403 Status before the handshake', async () => {
    const token = s.kubectlOk(['create', 'token', 'watcher']).trim();
    const bearer = `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`${s.url.replace('https:', 'wss:')}/api/v1/namespaces/kube-system/secrets?watch=true`, ['binary.k8s.io', bearer], { ca: creds.ca });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => reject(new Error('the watch was allowed')));
      ws.on('error', () => undefined);
    });
    assert.equal(status.code, 403);
    const body = JSON.parse(status.body);
    assert.equal(body.reason, 'Forbidden');
    assert.match(body.message, /cannot watch resource "secrets" in API group "" in the namespace "kube-system"/);
  });

  test('the dashboard files are served at /ui/ without credentials, /ui redirects there', async () => {
    const page = await fetchNoAuth(`${s.url}/ui/`, creds.ca);
    assert.equal(page.status, 200);
    assert.match(page.body, /<div id="app"/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    const redirect = await fetchNoAuth(`${s.url}/ui`, creds.ca);
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/ui/');
    // The API itself still wants credentials.
    assert.equal((await fetchNoAuth(`${s.url}/api/v1/namespaces`, creds.ca)).status, 401);
  });

  test('the kubernetes-dashboard Service points at a listener that serves the same files', async () => {
    const ep = JSON.parse(s.kubectlOk(['get', 'endpoints', 'kubernetes-dashboard', '-n', 'kube-system', '-o', 'json']));
    const port = ep.subsets[0].ports[0].port as number;
    assert.equal(ep.subsets[0].ports[0].name, undefined, 'an unnamed port, as `https:kubernetes-dashboard:` selects');
    const page = await fetchNoAuth(`https://127.0.0.1:${port}/`, creds.ca);
    assert.equal(page.status, 200);
    assert.match(page.body, /<div id="app"/);
  });
});

async function fetchNoAuth(url: string, ca: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

