// SPDX-License-Identifier: Apache-2.0
/**
 * What one client can cost the server is bounded: bodies over 3 MiB answer
 * 413 RequestEntityTooLarge (declared or streamed), a user's concurrent
 * watches are capped (`--max-watches-per-user`; over it, 429 with
 * Retry-After, and closing a watch frees its place), and a request whose
 * body trickles in past the request timeout is answered and closed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startServer, type ServerHandle } from '../harness/server-harness.js';
import { ApiClient } from '../harness/api-client.js';
import { assertStatus } from '../harness/status-check.js';

const CM = '/api/v1/namespaces/default/configmaps';
let s: ServerHandle;
let c: ApiClient;

describe('client bounds', () => {
  before(async () => {
    s = await startServer({ args: ['--max-watches-per-user', '5'] });
    c = new ApiClient(s.kubeconfig);
  });
  after(async () => {
    c?.close();
    await s?.stop();
  });

  it('answers 413 to a body over 3 MiB, declared or chunked', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } });
    const declared = await c.send('POST', CM, big, { 'Content-Type': 'application/json' });
    assert.equal(declared.status, 413);
    assert.equal(assertStatus(declared.body, 413).reason, 'RequestEntityTooLarge');
    // Without Content-Length (chunked), the limit applies to what arrives.
    const chunked = await s.request('POST', CM, undefined, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }).catch(() => undefined);
    assert.ok(chunked === undefined || chunked.status < 500);
    assert.equal((await c.send('GET', `${CM}/big`)).status, 404);
  });

  it('caps concurrent watches per user with 429 and frees a place when a watch ends', async () => {
    // Each watch starts with the ADDED event of an existing object: once all five have it, all five are open.
    assert.equal((await c.json('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watch-anchor' } })).status, 201);
    const watches = Array.from({ length: 5 }, () => new AbortController());
    const started: Promise<void>[] = [];
    const opened = watches.map((ac) => {
      let seen!: () => void;
      started.push(new Promise<void>((r) => (seen = r)));
      return c.lines(`${CM}?watch=1`, () => seen(), ac.signal).catch(() => 0);
    });
    await Promise.all(started);
    try {
      // The five are open: the sixth is refused.
      let sixth = { status: 0, body: '', headers: {} as Record<string, unknown> };
      for (let i = 0; i < 100; i++) {
        sixth = await c.send('GET', `${CM}?watch=1`);
        if (sixth.status === 429) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(sixth.status, 429, sixth.body);
      assert.equal(assertStatus(sixth.body, 429).reason, 'TooManyRequests');
      assert.equal(sixth.headers['retry-after'], '1');
      // Lists and gets are not watches: still served.
      assert.equal((await c.send('GET', CM)).status, 200);
      watches[0].abort();
      let again = 429;
      for (let i = 0; i < 100 && again === 429; i++) {
        again = (await c.send('GET', `${CM}?watch=1`)).status;
        if (again === 429) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(again, 200);
    } finally {
      for (const w of watches) w.abort();
      await Promise.all(opened);
    }
  });

  it('answers a body that stops arriving with a Status and closes the connection', { timeout: 120_000 }, async () => {
    const doc = parse(readFileSync(s.kubeconfig, 'utf8')) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
    const u = new URL(s.url);
    const b64 = (x: string) => Buffer.from(x, 'base64');
    const sock = connect({ host: u.hostname, port: Number(u.port), ca: b64(doc.clusters[0].cluster['certificate-authority-data']), cert: b64(doc.users[0].user['client-certificate-data']), key: b64(doc.users[0].user['client-key-data']) });
    let answer = '';
    const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
    sock.on('data', (d: Buffer) => (answer += d.toString()));
    sock.on('error', () => undefined);
    await new Promise<void>((resolve) => sock.once('secureConnect', () => resolve()));
    // Promise 100 bytes, send 10, then nothing.
    sock.write(`POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"apiVers`);
    await closed;
    assert.match(answer, /^HTTP\/1\.1 408/);
    assertStatus(answer.slice(answer.indexOf('\r\n\r\n') + 4), 408);
  });
});
