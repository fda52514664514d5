// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { Container } from 'kubernetes-types/core/v1.js';
import { FakeRuntime } from './cri/fake-runtime.js';
import { runProbe } from './prober.js';

describe('runProbe', () => {
  let http: Server;
  let httpPort = 0;
  let g: grpc.Server;
  let grpcPort = 0;
  let serving = 1;
  const runtime = new FakeRuntime();
  const container: Container = { name: 'c', ports: [{ name: 'web', containerPort: 0 }] };
  const target = () => ({ runtime, containerId: 'x', podIP: '127.0.0.1', container });

  before(async () => {
    http = createServer((req, res) => {
      res.statusCode = req.url === '/ok' && req.headers['x-probe'] === 'yes' && /^kube-probe\//.test(req.headers['user-agent'] ?? '') ? 200 : 503;
      res.end('body');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpPort = (http.address() as { port: number }).port;
    container.ports![0].containerPort = httpPort;
    g = new grpc.Server();
    g.addService({
      Check: {
        path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false,
        requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b,
        responseSerialize: (n: number) => Buffer.from([0x08, n]), responseDeserialize: (b: Buffer) => b[1],
      },
    }, { Check: (_call: unknown, cb: (err: null, v: number) => void) => cb(null, serving) });
    grpcPort = await new Promise<number>((r, j) => g.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  });
  after(() => {
    http.close();
    g.forceShutdown();
  });

  it('httpGet passes on 2xx with headers and a named port, fails with the status code', async () => {
    assert.deepEqual(await runProbe({ httpGet: { path: '/ok', port: 'web', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target()), { ok: true, output: 'body' });
    assert.deepEqual(await runProbe({ httpGet: { path: '/bad', port: httpPort } }, target()), { ok: false, output: 'HTTP probe failed with statuscode: 503' });
  });

  it('tcpSocket passes on connect and fails with a dial error', async () => {
    assert.equal((await runProbe({ tcpSocket: { port: httpPort } }, target())).ok, true);
    http.close();
    const r = await runProbe({ tcpSocket: { port: httpPort } }, target());
    assert.deepEqual(r, { ok: false, output: `dial tcp 127.0.0.1:${httpPort}: connect: connection refused` });
  });

  it('grpc passes when the health service answers SERVING', async () => {
    assert.equal((await runProbe({ grpc: { port: grpcPort } }, target())).ok, true);
    serving = 2;
    assert.deepEqual(await runProbe({ grpc: { port: grpcPort } }, target()), { ok: false, output: 'service unhealthy (responded with "NOT_SERVING")' });
  });

  it('exec passes on exit 0 and reports the output otherwise', async () => {
    runtime.addImage('img');
    const config = { metadata: { name: 'p', uid: 'u', namespace: 'ns' } };
    const { pod_sandbox_id } = await runtime.runPodSandbox({ config });
    const { container_id } = await runtime.createContainer({ pod_sandbox_id, sandbox_config: config, config: { metadata: { name: 'c' }, image: { image: 'img' } } });
    await runtime.startContainer({ container_id });
    runtime.execHandler = (_id, cmd) => ({ stdout: Buffer.from(cmd.join(' ')), stderr: Buffer.alloc(0), exit_code: cmd[0] === 'true' ? 0 : 1 });
    const t = { ...target(), containerId: container_id };
    assert.equal((await runProbe({ exec: { command: ['true'] } }, t)).ok, true);
    assert.deepEqual(await runProbe({ exec: { command: ['false', 'x'] } }, t), { ok: false, output: 'false x' });
  });
});
